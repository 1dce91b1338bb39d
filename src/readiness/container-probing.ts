import { ContainerFacts } from '../engine/container-facts';
import { NetworkProbe } from '../engine/network-probe';
import { probeAddress } from '../plan/readiness-rules';
import { ChangeSignal } from './change-signal';
import { ConcurrencyLimit } from './concurrency-limit';
import { ProbeContext, TrackedContainer } from './probe-context';
import { StackEngine } from './stack-engine';

// What the scheduler hands a probe for one container: the engine within the limit on docker
// processes at once, the address to probe (its own, or that of the container whose network
// namespace it shares), and the scheduler's change signal.

/** Docker processes that readiness checks may run at once (a level of 100 services, say). */
export const PROBE_PROCESSES = 8;

export interface ProbingSource {
  engine: Pick<StackEngine, 'exec' | 'followLogs' | 'inspect'>;
  network: NetworkProbe;
  /** Aborted when the whole wait ends. */
  signal: AbortSignal;
  limit: ConcurrencyLimit;
  changes: ChangeSignal;
  tracked: ReadonlyMap<string, TrackedContainer>;
  reachable?: (address: string) => boolean;
  publishedHost?: string;
  refresh(t: TrackedContainer): Promise<void>;
  observe(service: string, why: string): void;
  judge(service: string, what: string): void;
}

export function probeContextFor(t: TrackedContainer, src: ProbingSource): ProbeContext {
  const { signal } = src;
  return {
    container: t,
    signal,
    network: src.network,
    exec: (command, timeoutMs, own = signal) => src.limit.run(() => (own.aborted ? Promise.resolve(undefined) : src.engine.exec(t.id, command, timeoutMs, own))),
    followLogs: (onLine, until) => src.engine.followLogs(t.id, onLine, until),
    refresh: () => src.refresh(t),
    addressOf: () => addressOf(t, src),
    reachable: (address) => src.reachable?.(address) ?? true,
    publishedHost: src.publishedHost,
    observe: (why) => src.observe(t.service, why),
    judge: (what) => src.judge(t.service, what),
    wake: (ms) => src.changes.wake(ms),
    until: (condition) => src.changes.until(condition),
  };
}

/** The address a container's ports are probed at; with `network_mode: container:x`, x's. */
async function addressOf(t: TrackedContainer, src: ProbingSource): Promise<string | undefined> {
  const facts = t.facts as ContainerFacts;
  const mode = facts.networkMode;
  let shared: ContainerFacts | undefined;
  if (mode.startsWith('container:')) {
    const other = mode.slice('container:'.length);
    shared = [...src.tracked.values()].find((x) => x.id === other || x.id.startsWith(other))?.facts;
    if (!shared) shared = (await src.engine.inspect([other]))[0];
  }
  const address = probeAddress(facts, shared);
  if (!address) src.observe(t.service, `container ${facts.name} has no address to probe (network_mode ${mode})`);
  return address;
}
