import { ContainerFacts, willRestart } from '../engine/container-facts';
import { NetworkProbe } from '../engine/network-probe';
import { StreamingProcess } from '../engine/process-runner';
import { DAEMONIZED_HINT, exitCompletes } from '../plan/readiness-rules';
import { describeProbe, Probe } from '../plan/wait-for';
import { ReadyHow } from './outcomes';

// What a probe may use while it waits for one container, and the polling loop most kinds share.
// Each kind of probe is one file in probes/, a ProbeWaiter.

/** One container as the scheduler follows it. */
export interface TrackedContainer {
  id: string;
  service: string;
  facts?: ContainerFacts;
  exitCode?: number;
  restarts: number;
  /** The code of its last exit that the restart policy answered. */
  lastExitCode?: number;
  /** Its exits are counted from when nothing else it could wait for was still starting. */
  countedAfresh?: boolean;
  ready: boolean;
  probe?: Probe;
  /** The probe was asked for (wait-for, a dependent's condition), not inferred from the image. */
  required?: boolean;
  /** The compose file declares ports for its service (`ports`, `expose`). */
  declaresPorts?: boolean;
  /** When the engine last started it (its start event, else StartedAt): the settle window's origin. */
  lastStartMs?: number;
  /** Health as the event stream last said; an inspect answer may be older than the event. */
  eventHealth?: string;
}

/** The service cannot become ready; the message says why (the scheduler adds logs). */
export class ServiceFailure extends Error {}

export interface ProbeContext {
  readonly container: TrackedContainer;
  /** Aborted when the whole wait ends (ready, failed or cancelled). */
  readonly signal: AbortSignal;
  readonly network: NetworkProbe;
  /** Runs a command in the container, within the limit on docker processes at once; undefined when `signal` ended it before it ran. */
  exec(command: string[], timeoutMs: number, signal?: AbortSignal): Promise<{ code: number; output: string } | undefined>;
  followLogs(onLine: (line: string) => void, signal: AbortSignal): StreamingProcess;
  /** Reads the container's facts again. */
  refresh(): Promise<void>;
  /** The address its ports are probed at (its own, or the one of the container whose network it shares). */
  addressOf(): Promise<string | undefined>;
  /** Whether this run can connect to an address itself (see engine/reachability). */
  reachable(address: string): boolean;
  /** The host that published ports are reached at from here (the engine's), if any. */
  publishedHost?: string;
  /** What was last seen, for the timeout message. */
  observe(why: string): void;
  /** What the verdict rests on, for the readiness line and the outputs. */
  judge(what: string): void;
  /** Resolves on the next engine event or after `ms`, whichever is first. */
  wake(ms: number): Promise<void>;
  /** Resolves once `condition` holds after some engine event; cancel() ends the watch. */
  until(condition: () => boolean): { promise: Promise<undefined>; cancel: () => void };
}

export type ProbeWaiter<P extends Probe = Probe> = (ctx: ProbeContext, probe: P) => Promise<ReadyHow>;

/** What one look found: ready (how), look again after exactly `retryInMs`, or undefined to back off. */
export type Look = ReadyHow | { retryInMs: number } | undefined;

/** Checks the container's exit and restarts; 'completed' when its exit is its finish. */
function exitVerdict(t: TrackedContainer, probe: Probe): 'completed' | undefined {
  if (t.exitCode === undefined) return undefined;
  const code = t.exitCode;
  const facts = t.facts as ContainerFacts;
  if (willRestart(facts, code)) return undefined; // the scheduler counts restarts and fails a crash loop
  if (exitCompletes(probe, code, t.required, t.declaresPorts)) return 'completed';
  const daemonized = code === 0 && t.declaresPorts && (probe.kind === 'tcp' || probe.kind === 'healthy');
  throw new ServiceFailure(`container ${facts.name} exited with code ${code} before it was ready (waiting for ${describeProbe(probe)})${daemonized ? `: ${DAEMONIZED_HINT}` : ''}`);
}

function isRunning(t: TrackedContainer): boolean {
  const status = t.facts?.status;
  return t.exitCode === undefined && status !== 'created' && status !== 'exited';
}

/**
 * Looks until ready. The container's exit is judged before every look; between looks the wait
 * backs off from 10 ms up to `maxBackoffMs` (an engine event cuts it short), reading the
 * container's facts again while it is not running.
 */
export async function poll(ctx: ProbeContext, probe: Probe, maxBackoffMs: number, look: (running: boolean, backoff: () => Promise<void>) => Promise<Look>): Promise<ReadyHow> {
  let delay = 10;
  const backoff = async () => {
    await ctx.wake(delay);
    delay = Math.min(maxBackoffMs, Math.ceil(delay * 1.5));
  };
  while (!ctx.signal.aborted) {
    const exited = exitVerdict(ctx.container, probe);
    if (exited) return exited;
    const running = isRunning(ctx.container);
    const found = await look(running, backoff);
    if (typeof found === 'string') return found;
    if (found) {
      await ctx.wake(found.retryInMs);
      continue;
    }
    await backoff();
    if (!running && !ctx.signal.aborted) await ctx.refresh();
  }
  throw new ServiceFailure('cancelled');
}
