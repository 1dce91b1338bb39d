import { ContainerFacts, willRestart } from './container-facts';
import { StartPlan } from './dependency-graph';
import { EngineEvent } from './engine-events';
import { NetworkProbe } from './net-probes';
import { StreamingProcess } from './process-runner';
import { exitCompletes, probeAddress, probeFor } from './readiness-rules';
import { describeProbe, Probe, RUNNING_SETTLE_MS, WaitRule } from './wait-for';
import { healthcheckCommand } from './docker-args';
import { listeningPorts, PROC_NET_TCP_HEADER } from './proc-net-tcp';
import { ConcurrencyLimit } from './concurrency-limit';

// Starts a created stack in dependency order: a service starts as soon as everything it needs is
// ready (services that become startable together start in one call), and is watched through the
// engine's event stream until its readiness probe passes. Any failure stops the whole wait at once.

export interface StackEngine {
  inspect(ids: string[]): Promise<ContainerFacts[]>;
  start(ids: string[]): Promise<void>;
  /** For services whose start compose must do itself (v2 post_start hooks). */
  composeStart(services: string[]): Promise<void>;
  tailLogs(id: string, lines: number): Promise<string>;
  exec(id: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }>;
  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal): StreamingProcess;
  watchEvents(onEvent: (e: EngineEvent) => void, signal: AbortSignal): StreamingProcess;
}

export type ServiceStatus = 'pending' | 'starting' | 'ready' | 'completed' | 'skipped' | 'failed' | 'timed-out' | 'not-started';

export interface ServiceOutcome {
  name: string;
  status: ServiceStatus;
  /** How readiness was shown: healthy, listening, responding, log matched, completed, running, started. */
  how?: string;
  probe?: string;
  /** What the verdict rests on, e.g. the ports that accepted. */
  judged?: string;
  readyMs?: number;
  /** Wall-clock time the action saw the service ready (ISO 8601). */
  readyAt?: string;
  containers: ContainerFacts[];
  detail?: string;
}

export interface StartOptions {
  plan: StartPlan;
  containers: Record<string, string[]>;
  /** Containers of services still being created (Compose v1's later waves); awaited when needed. */
  laterContainers?: Promise<Record<string, string[]>>;
  rules: Record<string, WaitRule>;
  /** TCP ports each service's compose definition declares; the image's own EXPOSE list is judged apart. */
  declaredPorts?: Record<string, number[]>;
  timeoutMs: number;
  composeStarted: Set<string>;
  /**
   * Services whose host ports come from a declared range: their containers start one at a time,
   * after the rest of the batch, as compose does (concurrent starts race in the engine's choice).
   */
  startAlone?: Set<string>;
  /**
   * Whether this machine can reach an address itself (it lies on a network of one of its
   * interfaces). Ports of a container it cannot reach are read inside the container instead.
   */
  reachable?: (address: string) => boolean;
  /** Services scaled to 0: nothing to start or wait for; their dependents go ahead. */
  scaledToZero?: Set<string>;
  logLines: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

export class StackStartError extends Error {
  constructor(
    message: string,
    readonly outcomes: Record<string, ServiceOutcome>,
    readonly failedService?: string,
    readonly logs?: string,
  ) {
    super(message);
  }
}

class ServiceFailure extends Error {}

interface Tracked {
  id: string;
  service: string;
  facts?: ContainerFacts;
  exitCode?: number;
  restarts: number;
  ready: boolean;
  probe?: Probe;
  /** The probe was asked for (wait-for, a dependent's condition), not inferred from the image. */
  required?: boolean;
  /** When the engine last started it (its start event, else StartedAt): the settle window's origin. */
  lastStartMs?: number;
  /** Health as the event stream last said; an inspect answer may be older than the event. */
  eventHealth?: string;
}

const RESTARTS_ALLOWED = 3;
/** Docker processes that readiness checks may run at once (a level of 100 services, say). */
const PROBE_PROCESSES = 8;
/** A refused connect at a container address costs microseconds: poll ports often, at a constant pace. */
const PORT_POLL_MS = 20;

export class StackStarter {
  private readonly outcomes: Record<string, ServiceOutcome> = {};
  private readonly tracked = new Map<string, Tracked>();
  /** Container ids by service, as they become known (later waves arrive while others start). */
  private readonly containers: Record<string, string[]> = {};
  private readonly startedAt: Record<string, number> = {};
  private readonly lastObservation: Record<string, string> = {};
  private readonly waiters = new Set<() => void>();
  private readonly internal = new AbortController();
  private failure?: StackStartError;
  /** Set while a failure's message is completed (its logs read) before the wait gives up. */
  private finishing: Promise<void> = Promise.resolve();
  private readonly t0 = Date.now();
  private readonly probeLimit = new ConcurrencyLimit(PROBE_PROCESSES);

  constructor(
    private readonly engine: StackEngine,
    private readonly network: NetworkProbe,
    private readonly options: StartOptions,
  ) {
    for (const name of options.plan.services) this.outcomes[name] = { name, status: 'pending', containers: [] };
    for (const name of options.scaledToZero ?? []) {
      if (this.outcomes[name]) Object.assign(this.outcomes[name], { status: 'skipped', how: 'scaled to 0' });
    }
    this.addContainers(options.containers);
  }

  private addContainers(byService: Record<string, string[]>): void {
    for (const name of this.options.plan.services) {
      if (this.containers[name]?.length || !byService[name]?.length) continue;
      this.containers[name] = byService[name];
      for (const id of byService[name]) this.tracked.set(id, { id, service: name, restarts: 0, ready: false });
    }
  }

  private missingContainers(services: string[]): string[] {
    return services.filter((n) => this.outcomes[n].status !== 'skipped' && (this.containers[n] ?? []).length === 0);
  }

  private noContainerError(name: string): StackStartError {
    return new StackStartError(`Service '${name}' has no container: compose did not create it (is it scaled to 0?).`, this.outcomes, name);
  }

  /** Waits for the later-created containers a batch needs; false when the wait failed. */
  private async awaitLaterContainers(batch: string[]): Promise<boolean> {
    if (this.missingContainers(batch).length === 0 || !this.options.laterContainers) return true;
    try {
      this.addContainers(await this.options.laterContainers);
    } catch (e) {
      this.fail(new StackStartError((e as Error).message, this.outcomes, batch[0]));
      return false;
    }
    return !this.failure;
  }

  async run(): Promise<Record<string, ServiceOutcome>> {
    const { plan, signal } = this.options;
    const missing = this.options.laterContainers ? [] : this.missingContainers(plan.services);
    if (missing.length > 0) throw this.noContainerError(missing[0]);
    const onAbort = () => this.fail(new StackStartError('The step was cancelled while the stack was starting.', this.outcomes));
    signal.addEventListener('abort', onAbort);
    const events = this.engine.watchEvents((e) => this.onEvent(e), this.internal.signal);
    // The stream only ends on its own when the daemon goes away; nothing can be seen after that.
    const lost = (how: string) => {
      if (this.internal.signal.aborted) return;
      this.fail(new StackStartError(`Lost the Docker engine while the stack was starting: its event stream ${how}. Was the daemon stopped or restarted?`, this.outcomes));
    };
    events.done.then(
      (code) => lost(`ended (docker events exited with code ${code})`),
      (e: Error) => lost(`failed (${e.message})`),
    );
    try {
      await this.schedule();
      return this.outcomes;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.internal.abort();
      events.stop();
    }
  }

  private elapsed(from = this.t0): string {
    return `${((Date.now() - from) / 1000).toFixed(1)}s`;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves on the next notify() or after `ms`, whichever is first. */
  private wake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Resolves once `condition` holds after some notify(); cancel() ends the watch. */
  private until(condition: () => boolean): { promise: Promise<undefined>; cancel: () => void } {
    let live = true;
    const promise = (async () => {
      while (live && !this.internal.signal.aborted && !condition()) await this.wake(1000);
      return undefined;
    })();
    return { promise, cancel: () => (live = false) };
  }

  private fail(error: StackStartError): void {
    if (this.failure) return;
    this.failure = error;
    this.internal.abort();
    this.notify();
  }

  private settled(name: string): boolean {
    const s = this.outcomes[name].status;
    return s === 'ready' || s === 'completed' || s === 'skipped';
  }

  private async schedule(): Promise<void> {
    const { plan } = this.options;
    const deadline = this.t0 + this.options.timeoutMs;
    while (!this.failure) {
      const batch = plan.services.filter((n) => this.outcomes[n].status === 'pending' && plan.needs[n].every((d) => this.settled(d)));
      if (batch.length > 0) {
        await this.startBatch(batch);
        continue;
      }
      const now = Date.now();
      if (plan.services.every((n) => this.settled(n))) {
        const settle = this.runningSettleUntil();
        if (now >= settle) return;
        await this.wake(settle - now);
        continue;
      }
      const overdue = plan.services.find((n) => this.outcomes[n].status === 'starting' && now >= this.ownDeadline(n));
      if (overdue || now >= deadline) {
        this.fail(this.timeoutError(overdue));
        break;
      }
      const next = Math.min(deadline, ...plan.services.filter((n) => this.outcomes[n].status === 'starting').map((n) => this.ownDeadline(n)));
      await this.wake(Math.min(1000, Math.max(5, next - now)));
    }
    await this.finishing;
    throw this.failure;
  }

  /**
   * "Running" is weak evidence: a process that crashes on start is running for an instant. The
   * wait ends only once every service judged that way has stayed up for a moment, so a crash (or a
   * restart loop) right after start fails the step instead of passing it. Dependents do not wait.
   */
  private runningSettleUntil(): number {
    let until = 0;
    for (const t of this.tracked.values()) {
      if (!t.ready || t.probe?.kind !== 'running') continue;
      const down = t.exitCode !== undefined;
      // Exited for good: a finished one-shot (a crash has failed the step already).
      if (down && !(t.facts && willRestart(t.facts, t.exitCode as number))) continue;
      // Counted from the container's own start, not from when the action saw it running; one
      // the engine is about to restart must stay up a whole window after it is back.
      const from = down ? Date.now() : (t.lastStartMs ?? t.facts?.startedAt ?? Date.now());
      until = Math.max(until, from + (t.probe.settleMs ?? RUNNING_SETTLE_MS));
    }
    return until;
  }

  /** A `wait-for ... timeout=N` deadline, counted from the service's start. */
  private ownDeadline(name: string): number {
    const own = this.options.rules[name]?.timeoutSeconds;
    return own !== undefined ? this.startedAt[name] + own * 1000 : Infinity;
  }

  private async startBatch(batch: string[]): Promise<void> {
    if (!(await this.awaitLaterContainers(batch))) return;
    const missing = this.missingContainers(batch);
    if (missing.length > 0) {
      this.fail(this.noContainerError(missing[0]));
      return;
    }
    const viaEngine = batch.filter((n) => !this.options.composeStarted.has(n));
    const viaCompose = batch.filter((n) => this.options.composeStarted.has(n));
    const levels = [...new Set(batch.map((n) => this.options.plan.levels.findIndex((l) => l.includes(n))))].sort();
    this.options.log(`Level ${levels.join('+')}: starting ${batch.join(', ')} (${this.elapsed()})`);
    for (const n of batch) {
      this.outcomes[n].status = 'starting';
      this.startedAt[n] = Date.now();
    }
    try {
      const alone = this.options.startAlone ?? new Set<string>();
      await Promise.all([
        (async () => {
          await this.engine.start(viaEngine.filter((n) => !alone.has(n)).flatMap((n) => this.containers[n]));
          for (const id of viaEngine.filter((n) => alone.has(n)).flatMap((n) => this.containers[n])) await this.engine.start([id]);
        })(),
        viaCompose.length > 0 ? this.engine.composeStart(viaCompose) : Promise.resolve(),
      ]);
    } catch (e) {
      if (this.failure) return;
      for (const n of batch) this.outcomes[n].status = 'failed';
      this.fail(new StackStartError(`Starting ${batch.join(', ')} failed: ${(e as Error).message}`, this.outcomes, batch[0]));
      return;
    }
    for (const n of batch) {
      this.waitService(n).then(
        (how) => {
          const o = this.outcomes[n];
          if (o.status !== 'starting') return;
          o.status = how === 'completed' ? 'completed' : 'ready';
          o.how = how;
          o.readyMs = Date.now() - this.startedAt[n];
          o.readyAt = new Date().toISOString();
          this.options.log(`  ${n.padEnd(20)} ${how.padEnd(12)} ${(o.readyMs / 1000).toFixed(1)}s${o.judged ? `  (${o.judged})` : ''}`);
          this.notify();
        },
        (e: unknown) => {
          if (this.failure) return;
          if (e instanceof ServiceFailure) void this.serviceFailed(n, e.message);
          else this.fail(new StackStartError(`Waiting for '${n}' failed: ${(e as Error).message}`, this.outcomes, n));
        },
      );
    }
  }

  private containersOf(name: string): Tracked[] {
    return (this.containers[name] ?? []).map((id) => this.tracked.get(id) as Tracked);
  }

  private async refresh(ts: Tracked[]): Promise<void> {
    const facts = await this.probeLimit.run(() => this.engine.inspect(ts.map((t) => t.id)));
    for (const f of facts) {
      const t = this.tracked.get(f.id);
      if (t) t.facts = f;
    }
    const name = ts[0]?.service;
    if (name) this.outcomes[name].containers = ts.map((t) => t.facts).filter((f): f is ContainerFacts => f !== undefined);
  }

  private async waitService(name: string): Promise<string> {
    const ts = this.containersOf(name);
    await this.refresh(ts);
    const hows = await Promise.all(ts.map((t) => this.waitContainer(t)));
    return hows.every((h) => h === 'completed') ? 'completed' : (hows.find((h) => h !== 'completed') as string);
  }

  private async waitContainer(t: Tracked): Promise<string> {
    const facts = t.facts as ContainerFacts;
    const rule = this.options.rules[t.service];
    const probe = probeFor(facts, rule, this.options.declaredPorts?.[t.service]);
    t.probe = probe;
    t.required = rule !== undefined;
    t.lastStartMs ??= facts.startedAt;
    this.outcomes[t.service].probe = describeProbe(probe);
    const how = await this.probeUntilReady(t, probe);
    t.ready = true;
    return how;
  }

  /** Checks the container's exit and restarts; returns 'completed' when its exit is its finish. */
  private exitVerdict(t: Tracked, probe: Probe): string | undefined {
    if (t.exitCode === undefined) return undefined;
    const code = t.exitCode;
    const facts = t.facts as ContainerFacts;
    if (willRestart(facts, code)) return undefined; // onEvent counts restarts and fails a crash loop
    if (exitCompletes(probe, code, t.required)) return 'completed';
    throw new ServiceFailure(`container ${facts.name} exited with code ${code} before it was ready (waiting for ${describeProbe(probe)})`);
  }

  private async probeUntilReady(t: Tracked, probe: Probe): Promise<string> {
    const signal = this.internal.signal;
    let delay = 10;
    const backoff = async (max: number) => {
      await this.wake(delay);
      delay = Math.min(max, Math.ceil(delay * 1.5));
    };
    if (probe.kind === 'log') return this.waitForLog(t, probe.pattern);
    let port = 0; // index into tcp ports already open
    while (!signal.aborted) {
      const exited = this.exitVerdict(t, probe);
      if (exited) return exited;
      const facts = t.facts as ContainerFacts;
      const running = t.exitCode === undefined && facts.status !== 'created' && facts.status !== 'exited';
      switch (probe.kind) {
        case 'none':
          return 'started';
        case 'running':
          if (running) return 'running';
          break;
        case 'exit':
          break; // only an exit ends this wait
        case 'healthy': {
          if (t.eventHealth === 'healthy' || facts.health === 'healthy') return 'healthy';
          if (probe.active && running && facts.healthcheckTest) {
            const cmd = healthcheckCommand(facts.healthcheckTest, facts.shell);
            if (cmd) {
              // The engine's own check may pass while ours runs: whichever says healthy first wins,
              // and the loser is ended so it does not hold a probe slot for the check's timeout.
              const healthyEvent = this.until(() => t.eventHealth === 'healthy' || t.exitCode !== undefined);
              const own = new AbortController();
              const stopOwn = () => own.abort();
              signal.addEventListener('abort', stopOwn);
              const exec = this.probeLimit.run(() => (own.signal.aborted ? Promise.resolve(undefined) : this.engine.exec(t.id, cmd, facts.healthTimeoutMs ?? 30000, own.signal)));
              exec.catch(() => undefined);
              const r = await Promise.race([exec, healthyEvent.promise]);
              healthyEvent.cancel();
              own.abort();
              signal.removeEventListener('abort', stopOwn);
              if (signal.aborted || t.exitCode !== undefined) continue;
              if (r === undefined || r.code === 0) return 'healthy';
              this.lastObservation[t.service] = `health-check test exited ${r.code}${r.output ? `: ${r.output.slice(-200)}` : ''}`;
            }
          }
          await backoff(1000);
          // A health event has already said what an inspect would; skip the round trip.
          if (!signal.aborted && t.eventHealth !== 'healthy') await this.refresh([t]);
          continue;
        }
        case 'tcp': {
          const host = await this.addressOf(t);
          if (running && !(host && this.reachable(host))) {
            // A remote engine, or no address at all: the container's own kernel says what listens.
            const judged = await this.portsInside(t, probe, host);
            if (judged) {
              this.outcomes[t.service].judged = judged;
              return 'listening';
            }
            break;
          }
          if (host && running) {
            while (port < probe.ports.length) {
              const why = await this.network.tcp(host, probe.ports[port], 1000);
              if (why) {
                this.lastObservation[t.service] = why;
                break;
              }
              port++;
            }
            let imagePort: number | undefined;
            if (port === probe.ports.length && probe.anyOf?.length) {
              // The image's own ports are tried together: which one a program opens is its choice.
              const answers = await Promise.all(probe.anyOf.map((p) => this.network.tcp(host, p, 1000)));
              imagePort = probe.anyOf.find((_, i) => answers[i] === undefined);
              if (imagePort === undefined) this.lastObservation[t.service] = `none of the image's ports ${probe.anyOf.join(', ')} accepts yet (${answers[0]})`;
            }
            if (port === probe.ports.length && (!probe.anyOf?.length || imagePort !== undefined)) {
              this.outcomes[t.service].judged = judgedPorts(probe, imagePort);
              return 'listening';
            }
            await this.wake(PORT_POLL_MS);
            continue;
          }
          break;
        }
        case 'http': {
          const host = probe.host || (await this.addressOf(t));
          if (!probe.host && host && !this.reachable(host)) {
            throw new ServiceFailure(
              `its HTTP probe needs the container's address, and ${host} is not on a network of this machine (a remote engine?); use a healthcheck, tcp: or log: for it, or give the probe a host that answers here`,
            );
          }
          if (host && running) {
            const url = `${probe.scheme}://${host.includes(':') ? `[${host}]` : host}:${probe.port}${probe.path}`;
            const why = await this.network.http(url, probe.status, 2000);
            if (!why) return 'responding';
            this.lastObservation[t.service] = why;
          }
          break;
        }
      }
      await backoff(probe.kind === 'running' || probe.kind === 'exit' ? 200 : 500);
      if (!running && !signal.aborted) await this.refresh([t]);
    }
    throw new ServiceFailure('cancelled');
  }

  private reachable(address: string): boolean {
    return this.options.reachable?.(address) ?? true;
  }

  /**
   * Reads /proc/net/tcp and tcp6 inside the container for the probe's ports. Returns what the
   * verdict rests on once they listen, else undefined (and why, as the last observation).
   */
  private async portsInside(t: Tracked, probe: Extract<Probe, { kind: 'tcp' }>, host: string | undefined): Promise<string | undefined> {
    const signal = this.internal.signal;
    const read = async (command: string[]) => this.probeLimit.run(() => this.engine.exec(t.id, command, 5000, signal));
    let r = await read(['cat', '/proc/net/tcp', '/proc/net/tcp6']);
    // 126/127: no usable `cat` at that path; a shell may still find one.
    if (!r.output.includes(PROC_NET_TCP_HEADER) && (r.code === 126 || r.code === 127)) r = await read(['sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null']);
    if (!r.output.includes(PROC_NET_TCP_HEADER)) {
      if (r.code === 126 || r.code === 127) {
        throw new ServiceFailure(
          `its ports cannot be checked: ${host ? `its address ${host} is not on a network of this machine` : 'it has no address to probe'}, and the image has no 'cat' or 'sh' to read /proc/net/tcp inside it; give the service a healthcheck, or a wait-for line (log:/<pattern>/, exit:<code>, running)`,
        );
      }
      this.lastObservation[t.service] = `could not read /proc/net/tcp in ${t.facts?.name ?? t.id}: ${r.output.slice(-200) || `exit ${r.code}`}`;
      return undefined;
    }
    const open = listeningPorts(r.output);
    const missing = probe.ports.filter((p) => !open.has(p));
    const imagePort = probe.anyOf?.find((p) => open.has(p));
    if (missing.length > 0 || (probe.anyOf?.length && imagePort === undefined)) {
      this.lastObservation[t.service] = `nothing listens on ${missing.length > 0 ? `port ${missing.join(', ')}` : `any of the image's ports ${probe.anyOf?.join(', ')}`} inside ${t.facts?.name ?? t.id} (read from /proc/net/tcp)`;
      return undefined;
    }
    return `${judgedPorts(probe, imagePort)}, read inside the container`;
  }

  private async addressOf(t: Tracked): Promise<string | undefined> {
    const facts = t.facts as ContainerFacts;
    const mode = facts.networkMode;
    let shared: ContainerFacts | undefined;
    if (mode.startsWith('container:')) {
      const other = mode.slice('container:'.length);
      shared = [...this.tracked.values()].find((x) => x.id === other || x.id.startsWith(other))?.facts;
      if (!shared) shared = (await this.engine.inspect([other]))[0];
    }
    const address = probeAddress(facts, shared);
    if (!address) this.lastObservation[t.service] = `container ${facts.name} has no address to probe (network_mode ${mode})`;
    return address;
  }

  private waitForLog(t: Tracked, pattern: RegExp): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const controller = new AbortController();
      const stopAll = () => controller.abort();
      this.internal.signal.addEventListener('abort', stopAll);
      const follow = this.engine.followLogs(
        t.id,
        (line) => {
          if (pattern.test(line)) {
            controller.abort();
            resolve('log matched');
          }
        },
        controller.signal,
      );
      follow.done.then(
        () => {
          this.internal.signal.removeEventListener('abort', stopAll);
          if (controller.signal.aborted) return;
          // The log ended: the container exited without printing the line.
          reject(new ServiceFailure(`container ${t.facts?.name ?? t.id} stopped before a log line matched ${pattern}`));
        },
        reject,
      );
      this.lastObservation[t.service] = `no log line matched ${pattern} yet`;
    });
  }

  private onEvent(e: EngineEvent): void {
    const t = this.tracked.get(e.id);
    if (!t || this.failure) return;
    if (e.action === 'start') {
      t.exitCode = undefined;
      t.eventHealth = undefined;
      t.lastStartMs = e.timeMs || Date.now();
    } else if (e.action === 'die') {
      t.exitCode = e.exitCode ?? 0;
      // Decided here, on the event, not after an inspect round trip: a crash seen before the
      // settle window ends must not lose the race to it.
      if (t.ready && t.facts && !willRestart(t.facts, t.exitCode) && !(t.probe && exitCompletes(t.probe, t.exitCode, t.required))) {
        void this.serviceFailed(t.service, `container ${t.facts.name} exited with code ${t.exitCode} after it was ready`);
      } else if (t.ready && t.exitCode === 0 && t.probe?.kind === 'running' && t.facts && !willRestart(t.facts, 0)) this.finishedInWindow(t.service);
      void this.afterExit(t, t.exitCode);
    } else if (e.action === 'health_status' && e.health) {
      t.eventHealth = e.health;
      if (e.health === 'unhealthy') void this.afterUnhealthy(t);
    }
    this.notify();
  }

  /** A one-shot seen running, then exiting 0 inside its settle window: it completed. */
  private finishedInWindow(name: string): void {
    const o = this.outcomes[name];
    if (o.status !== 'ready' || o.how !== 'running') return;
    if (!this.containersOf(name).every((c) => c.exitCode === 0)) return;
    o.status = 'completed';
    o.how = 'completed';
    this.options.log(`  ${name.padEnd(20)} ${'completed'.padEnd(12)} ${((Date.now() - this.startedAt[name]) / 1000).toFixed(1)}s`);
  }

  private async afterExit(t: Tracked, code: number): Promise<void> {
    let facts: ContainerFacts | undefined;
    try {
      [facts] = await this.engine.inspect([t.id]);
    } catch {
      facts = t.facts;
    }
    if (facts) t.facts = facts;
    if (!facts || this.failure) return;
    if (willRestart(facts, code)) {
      t.restarts++;
      if (t.restarts >= RESTARTS_ALLOWED) {
        await this.serviceFailed(t.service, `container ${facts.name} is restarting repeatedly (${t.restarts} exits, the last with code ${code})`);
      }
    }
    // An exit after readiness was judged on the die event itself (onEvent).
    this.notify();
  }

  private async afterUnhealthy(t: Tracked): Promise<void> {
    let output = '';
    try {
      const [facts] = await this.engine.inspect([t.id]);
      output = facts?.lastHealthOutput ?? '';
    } catch {
      // the message below still names the container
    }
    await this.serviceFailed(t.service, `container ${t.facts?.name ?? t.id} became unhealthy${output ? `; last health-check output: ${output.slice(-500)}` : ''}`);
  }

  private dependents(name: string): string[] {
    const { plan } = this.options;
    const out = new Set<string>();
    const visit = (n: string) => {
      for (const s of plan.services) {
        if (plan.needs[s].includes(n) && !out.has(s)) {
          out.add(s);
          visit(s);
        }
      }
    };
    visit(name);
    return [...out];
  }

  private markNotStarted(): string[] {
    const names: string[] = [];
    for (const o of Object.values(this.outcomes)) {
      if (o.status === 'pending') {
        o.status = 'not-started';
        names.push(o.name);
      }
    }
    return names;
  }

  private serviceFailed(name: string, why: string): Promise<void> {
    if (this.failure) return Promise.resolve();
    this.finishing = this.describeFailure(name, why);
    return this.finishing;
  }

  private async describeFailure(name: string, why: string): Promise<void> {
    const o = this.outcomes[name];
    o.status = 'failed';
    o.detail = why;
    const blocked = this.dependents(name).filter((d) => this.outcomes[d].status === 'pending');
    // Stop waiting before reading logs, so nothing else starts meanwhile.
    const placeholder = new StackStartError(`Service '${name}' failed: ${why}.`, this.outcomes, name);
    this.fail(placeholder);
    this.markNotStarted();
    const ids = this.containers[name] ?? [];
    let logs = '';
    try {
      logs = await this.engine.tailLogs(ids[0], this.options.logLines);
    } catch {
      logs = '(logs unavailable)';
    }
    const lines = [`Service '${name}' failed after ${this.elapsed(this.startedAt[name])}: ${why}.`];
    if (blocked.length > 0) lines.push(`Not started because of it: ${blocked.join(', ')}.`);
    lines.push(`Last ${this.options.logLines} log lines of ${name}:`, logs.trim() === '' ? '(no output)' : logs);
    Object.assign(placeholder, { message: lines.join('\n'), logs });
  }

  private timeoutError(overdue: string | undefined): StackStartError {
    const waiting = this.options.plan.services.filter((n) => this.outcomes[n].status === 'starting');
    const describe = (n: string) => `${n} (waiting for ${this.outcomes[n].probe ?? 'its container'}${this.lastObservation[n] ? `; last: ${this.lastObservation[n]}` : ''})`;
    for (const n of waiting) this.outcomes[n].status = 'timed-out';
    const notStarted = this.markNotStarted();
    const parts: string[] = [];
    if (overdue) {
      parts.push(`Service '${overdue}' was not ready within its own timeout of ${this.options.rules[overdue]?.timeoutSeconds} s.`);
    } else {
      parts.push(`Timed out after ${this.options.timeoutMs / 1000} s.`);
    }
    parts.push(`Not ready: ${waiting.map(describe).join('; ')}.`);
    if (notStarted.length > 0) {
      parts.push(`Not started: ${notStarted.map((n) => `${n} (needs ${this.options.plan.needs[n].filter((d) => !this.settled(d)).join(', ') || 'nothing'})`).join('; ')}.`);
    }
    return new StackStartError(parts.join(' '), this.outcomes, overdue ?? waiting[0]);
  }
}

/** The ports a tcp verdict rests on, for the readiness line. */
function judgedPorts(probe: Extract<Probe, { kind: 'tcp' }>, imagePort: number | undefined): string {
  const parts: string[] = [];
  if (probe.ports.length > 0) parts.push(`port${probe.ports.length > 1 ? 's' : ''} ${probe.ports.join(', ')}`);
  if (imagePort !== undefined) parts.push(`image port ${imagePort}${(probe.anyOf?.length ?? 0) > 1 ? ` of ${probe.anyOf?.join(', ')}` : ''}`);
  return parts.join('; ');
}
