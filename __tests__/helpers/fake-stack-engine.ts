import { ContainerFacts, parseInspect } from '../../src/engine/container-facts';
import { parseResolvedConfig } from '../../src/compose/compose-model';
import { planStart } from '../../src/plan/dependency-graph';
import { EngineEvent } from '../../src/engine/engine-events';
import { NetworkProbe } from '../../src/engine/network-probe';
import { declaredTcpPorts, rulesFromConditions } from '../../src/plan/readiness-rules';
import { StackStarter } from '../../src/readiness/stack-starter';
import { ServiceOutcome, StackStartError } from '../../src/readiness/outcomes';
import { StackEngine } from '../../src/readiness/stack-engine';
import { parseWaitFor } from '../../src/plan/wait-for';

// A fake engine for the scheduler's unit tests: it emits events as a real one does, on timers (real
// ones, or jest's fake clock).

export interface Behaviour {
  /** Exit this long after start, with this code. */
  exitAfterMs?: number;
  /** Keep exiting (restart: always) only until this long after the engine was made, then stay up. */
  crashUntilMs?: number;
  exitCode?: number;
  /** Healthy (event) this long after start. */
  healthyAfterMs?: number;
  healthcheck?: string[];
  exposed?: string[];
  restart?: string;
  /** What `cat /proc/net/tcp /proc/net/tcp6` prints in it (else the exec never answers). */
  procNetTcp?: () => string;
  /** The image has neither cat nor sh. */
  bare?: boolean;
  /** Container port -> host port the engine published. */
  published?: Record<number, number>;
  /** Lines it prints, each this long after its start. */
  logs?: { afterMs: number; line: string }[];
  /** Pretend the engine started it this long before the action saw it. */
  startedEarlierMs?: number;
  /** The engine takes this long to start it (a busy machine): the start call returns then. */
  startTakesMs?: number;
}

export class FakeEngine implements StackEngine {
  readonly facts = new Map<string, ContainerFacts>();
  readonly started: string[] = [];
  readonly execSignals: AbortSignal[] = [];
  private emit: (e: EngineEvent) => void = () => undefined;
  private readonly madeAt = Date.now();

  constructor(private readonly behaviours: Record<string, Behaviour>) {
    for (const [service, b] of Object.entries(behaviours)) {
      this.facts.set(
        service,
        parseInspect({
          Id: service,
          Name: `/p-${service}-1`,
          State: { Status: 'created' },
          Config: {
            Labels: { 'com.docker.compose.service': service },
            ExposedPorts: Object.fromEntries((b.exposed ?? []).map((p) => [p, {}])),
            Healthcheck: b.healthcheck ? { Test: b.healthcheck } : undefined,
          },
          HostConfig: { NetworkMode: 'p_default', RestartPolicy: { Name: b.restart ?? 'no' } },
          NetworkSettings: {
            Networks: { p_default: { IPAddress: `10.0.0.${this.facts.size + 2}` } },
            Ports: Object.fromEntries(Object.entries(b.published ?? {}).map(([target, host]) => [`${target}/tcp`, [{ HostIp: '0.0.0.0', HostPort: String(host) }]])),
          },
        }),
      );
    }
  }

  private event(id: string, action: string, extra: Partial<EngineEvent> = {}): void {
    this.emit({ id, action, timeMs: Date.now(), ...extra });
  }

  async inspect(ids: string[]): Promise<ContainerFacts[]> {
    return ids.map((id) => ({ ...(this.facts.get(id) as ContainerFacts) }));
  }

  async start(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.startOne(id)));
  }

  private async startOne(id: string): Promise<void> {
    const f = this.facts.get(id) as ContainerFacts;
    const b = this.behaviours[id];
    if (b.startTakesMs) await new Promise((resolve) => setTimeout(resolve, b.startTakesMs));
    f.status = 'running';
    f.startedAt = Date.now() - (b.startedEarlierMs ?? 0);
    this.started.push(id);
    this.event(id, 'start', { timeMs: f.startedAt });
    const crashing = b.crashUntilMs === undefined || Date.now() - this.madeAt < b.crashUntilMs;
    if (b.exitAfterMs !== undefined && crashing) {
      setTimeout(() => {
        f.status = 'exited';
        f.exitCode = b.exitCode ?? 0;
        this.event(id, 'die', { exitCode: f.exitCode });
        // The engine's restart policy, with a short backoff.
        if (b.restart === 'always' && (b.crashUntilMs !== undefined || this.started.length < 6)) setTimeout(() => void this.start([id]), 50);
      }, b.exitAfterMs);
    }
    if (b.healthyAfterMs !== undefined) {
      setTimeout(() => {
        if (f.status !== 'running') return;
        f.health = 'healthy';
        this.event(id, 'health_status', { health: 'healthy' });
      }, b.healthyAfterMs);
    }
  }

  async composeStart(): Promise<void> {
    throw new Error('not used');
  }

  async tailLogs(id: string): Promise<string> {
    return `last words of ${id}`;
  }

  /** The action's own healthcheck run: never answers until it is ended. */
  exec(id: string, command: string[], _timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }> {
    const b = this.behaviours[id];
    if (command.join(' ').includes('/proc/net/tcp')) {
      if (b.bare) return Promise.resolve({ code: 127, output: 'exec: "cat": executable file not found in $PATH' });
      if (b.procNetTcp) return Promise.resolve({ code: 0, output: b.procNetTcp() });
    }
    this.execSignals.push(signal);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ code: -1, output: 'ended' })));
  }

  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal) {
    const timers = (this.behaviours[id].logs ?? []).map((l) => setTimeout(() => onLine(l.line), l.afterMs));
    const done = new Promise<number>((resolve) => {
      const f = this.facts.get(id) as ContainerFacts;
      // The stream ends when the container stops (docker logs --follow does), or when asked.
      const poll = setInterval(() => f.status === 'exited' && end(), 10);
      const end = () => {
        clearInterval(poll);
        timers.forEach(clearTimeout);
        resolve(0);
      };
      signal.addEventListener('abort', end);
    });
    return { done, stop: () => undefined };
  }

  /** Ends the event stream as a daemon that went away does. */
  loseEvents: () => void = () => undefined;

  watchEvents(onEvent: (e: EngineEvent) => void) {
    this.emit = onEvent;
    return { done: new Promise<number>((resolve) => (this.loseEvents = () => resolve(1))), stop: () => undefined };
  }
}

/** Ports listed here accept; every other is refused. */
export function network(open: Record<string, number[]> = {}): NetworkProbe {
  return {
    tcp: async (host, port) => ((open[host] ?? []).includes(port) ? undefined : `ECONNREFUSED at ${host}:${port}`),
    /** As a proxy would: a port in `open` is held open, any other is accepted and dropped. */
    tcpHeld: async (host, port) => ((open[host] ?? []).includes(port) ? undefined : `${host}:${port} accepted and dropped the connection`),
    /** Answers 200 at a host and port listed in `open`. */
    http: async (url) => {
      const u = new URL(url);
      return (open[u.hostname] ?? []).includes(Number(u.port)) ? undefined : `${url}: ECONNREFUSED`;
    },
  };
}

export async function start(
  composeYaml: string,
  behaviours: Record<string, Behaviour>,
  options: {
    waitFor?: string[];
    open?: Record<string, number[]>;
    timeoutMs?: number;
    reachable?: (a: string) => boolean;
    publishedHost?: string;
    signal?: AbortSignal;
    /** Called with the engine once the wait has begun. */
    during?: (engine: FakeEngine) => void;
  } = {},
) {
  const model = parseResolvedConfig(composeYaml);
  const services = Object.keys(model.services);
  const plan = planStart(model, services);
  const engine = new FakeEngine(behaviours);
  const containers = Object.fromEntries(services.filter((s) => model.services[s].replicas > 0).map((s) => [s, [s]]));
  const lines: string[] = [];
  const starter = new StackStarter(engine, network(options.open), {
    plan,
    containers,
    rules: rulesFromConditions(model, services, parseWaitFor(options.waitFor ?? [])),
    declaredPorts: Object.fromEntries(services.map((s) => [s, declaredTcpPorts(model, s)])),
    scaledToZero: new Set(services.filter((s) => model.services[s].replicas === 0)),
    reachable: options.reachable,
    publishedHost: options.publishedHost,
    timeoutMs: options.timeoutMs ?? 5000,
    composeStarted: new Set(),
    logLines: 10,
    signal: options.signal ?? new AbortController().signal,
    log: (l) => lines.push(l),
  });
  const t0 = Date.now();
  let outcomes: Record<string, ServiceOutcome> | undefined;
  let error: StackStartError | undefined;
  let settled = false;
  const run = starter.run().then(
    (o) => (outcomes = o),
    (e) => (error = e as StackStartError),
  );
  void run.finally(() => (settled = true));
  options.during?.(engine);
  // On jest's fake clock, time moves only when asked: from one timer to the next, until the wait
  // ends (or well past any timeout a test gives, which the test then sees as no verdict).
  if (onFakeClock()) {
    const limit = t0 + (options.timeoutMs ?? 5000) + 60_000;
    while (!settled && Date.now() < limit && jest.getTimerCount() > 0) await jest.advanceTimersToNextTimerAsync();
  }
  await run;
  return { outcomes, error, engine, lines, ms: Date.now() - t0 };
}

function onFakeClock(): boolean {
  return typeof jest !== 'undefined' && typeof (setTimeout as unknown as { clock?: unknown }).clock === 'object';
}
