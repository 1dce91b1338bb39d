import { ContainerFacts, willRestart } from '../engine/container-facts';
import { dependents, StartPlan } from '../plan/dependency-graph';
import { EngineEvent } from '../engine/engine-events';
import { NetworkProbe } from '../engine/network-probe';
import { exitCompletes, probeAddress, probeFor } from '../plan/readiness-rules';
import { describeProbe, WaitRule } from '../plan/wait-for';
import { ConcurrencyLimit } from './concurrency-limit';
import { markNotStarted, serviceFailureMessage, timeoutMessage } from './failure-description';
import { isSettled, Outcomes, ReadyHow, StackStartError } from './outcomes';
import { ProbeContext, ServiceFailure, TrackedContainer } from './probe-context';
import { waiterFor } from './probes';
import { settleWindowEnd } from './settle-window';
import { StackEngine } from './stack-engine';

// Starts a created stack in dependency order: a service starts as soon as everything it needs is
// ready (services that become startable together start in one call, while earlier calls may still
// be starting others), and is watched through the engine's event stream until its readiness probe
// passes. Any failure stops the whole wait at once.

export interface StartOptions {
  plan: StartPlan;
  containers: Record<string, string[]>;
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
  /**
   * Where published ports are reached from here: the engine's host. Used when a container's
   * address cannot be reached and its ports cannot be read inside it (an image without cat or sh).
   */
  publishedHost?: string;
  /** Services scaled to 0: nothing to start or wait for; their dependents go ahead. */
  scaledToZero?: Set<string>;
  logLines: number;
  signal: AbortSignal;
  log: (line: string) => void;
}

const RESTARTS_ALLOWED = 3;
/** Docker processes that readiness checks may run at once (a level of 100 services, say). */
const PROBE_PROCESSES = 8;

export class StackStarter {
  private readonly outcomes: Outcomes = {};
  private readonly tracked = new Map<string, TrackedContainer>();
  /** Container ids by service. */
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
  /** Services handed to a start call (their status turns 'starting' once the call begins). */
  private readonly claimed = new Set<string>();
  /** Start calls under way: a service that becomes startable does not wait for them. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Containers that start alone do so one at a time across calls too. */
  private readonly aloneLimit = new ConcurrencyLimit(1);

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

  async run(): Promise<Outcomes> {
    const { plan, signal } = this.options;
    const missing = this.missingContainers(plan.services);
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
    return isSettled(this.outcomes[name]);
  }

  private async schedule(): Promise<void> {
    const { plan } = this.options;
    const deadline = this.t0 + this.options.timeoutMs;
    while (!this.failure) {
      const batch = plan.services.filter((n) => this.outcomes[n].status === 'pending' && !this.claimed.has(n) && plan.needs[n].every((d) => this.settled(d)));
      if (batch.length > 0) {
        // Not awaited: starting a batch takes the engine a while, and services that become
        // startable meanwhile must not queue behind it.
        for (const n of batch) this.claimed.add(n);
        const call: Promise<void> = this.startBatch(batch).finally(() => {
          this.inFlight.delete(call);
          this.notify();
        });
        this.inFlight.add(call);
        continue;
      }
      const now = Date.now();
      if (plan.services.every((n) => this.settled(n))) {
        const settle = settleWindowEnd(this.tracked.values(), now);
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
    // Start calls still under way end first, so nothing starts after the verdict.
    await Promise.allSettled([...this.inFlight]);
    await this.finishing;
    throw this.failure ?? new StackStartError('The wait ended without a verdict.', this.outcomes);
  }

  /** A `wait-for ... timeout=N` deadline, counted from the service's start. */
  private ownDeadline(name: string): number {
    const own = this.options.rules[name]?.timeoutSeconds;
    return own !== undefined ? this.startedAt[name] + own * 1000 : Infinity;
  }

  private async startBatch(batch: string[]): Promise<void> {
    if (this.failure) return;
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
          for (const id of viaEngine.filter((n) => alone.has(n)).flatMap((n) => this.containers[n])) await this.aloneLimit.run(() => this.engine.start([id]));
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
          this.judgeCrashLoops();
        },
        (e: unknown) => {
          if (this.failure) return;
          if (e instanceof ServiceFailure) void this.serviceFailed(n, e.message);
          else this.fail(new StackStartError(`Waiting for '${n}' failed: ${(e as Error).message}`, this.outcomes, n));
        },
      );
    }
  }

  private containersOf(name: string): TrackedContainer[] {
    return (this.containers[name] ?? []).map((id) => this.tracked.get(id) as TrackedContainer);
  }

  private async refresh(ts: TrackedContainer[]): Promise<void> {
    const facts = await this.probeLimit.run(() => this.engine.inspect(ts.map((t) => t.id)));
    for (const f of facts) {
      const t = this.tracked.get(f.id);
      if (t) t.facts = f;
    }
    const name = ts[0]?.service;
    if (name) this.outcomes[name].containers = ts.map((t) => t.facts).filter((f): f is ContainerFacts => f !== undefined);
  }

  private async waitService(name: string): Promise<ReadyHow> {
    const ts = this.containersOf(name);
    await this.refresh(ts);
    const hows = await Promise.all(ts.map((t) => this.waitContainer(t)));
    return hows.find((h) => h !== 'completed') ?? 'completed';
  }

  private async waitContainer(t: TrackedContainer): Promise<ReadyHow> {
    const facts = t.facts as ContainerFacts;
    const rule = this.options.rules[t.service];
    const probe = probeFor(facts, rule, this.options.declaredPorts?.[t.service]);
    t.probe = probe;
    t.required = rule !== undefined;
    t.declaresPorts = (this.options.declaredPorts?.[t.service]?.length ?? 0) > 0;
    t.lastStartMs ??= facts.startedAt;
    this.outcomes[t.service].probe = describeProbe(probe);
    const how = await waiterFor(probe)(this.probeContext(t), probe);
    t.ready = true;
    return how;
  }

  private probeContext(t: TrackedContainer): ProbeContext {
    const signal = this.internal.signal;
    return {
      container: t,
      signal,
      network: this.network,
      exec: (command, timeoutMs, own = signal) => this.probeLimit.run(() => (own.aborted ? Promise.resolve(undefined) : this.engine.exec(t.id, command, timeoutMs, own))),
      followLogs: (onLine, until) => this.engine.followLogs(t.id, onLine, until),
      refresh: () => this.refresh([t]),
      addressOf: () => this.addressOf(t),
      reachable: (address) => this.options.reachable?.(address) ?? true,
      publishedHost: this.options.publishedHost,
      observe: (why) => (this.lastObservation[t.service] = why),
      judge: (what) => (this.outcomes[t.service].judged = what),
      wake: (ms) => this.wake(ms),
      until: (condition) => this.until(condition),
    };
  }

  private async addressOf(t: TrackedContainer): Promise<string | undefined> {
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
      if (t.ready && t.facts && !willRestart(t.facts, t.exitCode) && !(t.probe && exitCompletes(t.probe, t.exitCode, t.required, t.declaresPorts))) {
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

  private async afterExit(t: TrackedContainer, code: number): Promise<void> {
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
      t.lastExitCode = code;
      if (t.restarts >= RESTARTS_ALLOWED) {
        const others = this.mayBeWaitingFor(t.service);
        if (others.length === 0) await this.crashLoopFailed(t);
        else
          this.options.log(
            `  ${t.service.padEnd(20)} ${'restarting'.padEnd(12)} ${t.restarts} exits (last code ${code}); judged once ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} up`,
          );
      }
    }
    // An exit after readiness was judged on the die event itself (onEvent).
    this.notify();
  }

  /**
   * A service that retries through its restart policy until something it does not declare in
   * depends_on is up (common in the wild) is judged a crash loop only once nothing it could be
   * waiting for is still starting: every other service that does not depend on it has settled.
   */
  private mayBeWaitingFor(name: string): string[] {
    const after = new Set(dependents(this.options.plan, name));
    return this.options.plan.services.filter((n) => n !== name && !after.has(n) && !this.settled(n) && this.outcomes[n].status !== 'failed');
  }

  private crashLoopFailed(t: TrackedContainer): Promise<void> {
    return this.serviceFailed(t.service, `container ${t.facts?.name ?? t.id} is restarting repeatedly (${t.restarts} exits, the last with code ${t.lastExitCode ?? '?'})`);
  }

  /**
   * After a service settled: a crash loop that was waiting on others gets its exits counted afresh
   * once nothing is left to wait for, so its next retry, with everything up, decides.
   */
  private judgeCrashLoops(): void {
    for (const t of this.tracked.values()) {
      // Any container that has exited so far, not only one already past the limit: an attempt that
      // began before the last service settled may still fail after it, and must not be the third.
      if (t.restarts === 0 || t.countedAfresh) continue;
      if (this.mayBeWaitingFor(t.service).length > 0) continue;
      t.countedAfresh = true;
      t.restarts = 0;
    }
  }

  private async afterUnhealthy(t: TrackedContainer): Promise<void> {
    let output = '';
    try {
      const [facts] = await this.engine.inspect([t.id]);
      output = facts?.lastHealthOutput ?? '';
    } catch {
      // the message below still names the container
    }
    await this.serviceFailed(t.service, `container ${t.facts?.name ?? t.id} became unhealthy${output ? `; last health-check output: ${output.slice(-500)}` : ''}`);
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
    const blocked = dependents(this.options.plan, name).filter((d) => this.outcomes[d].status === 'pending');
    // Stop waiting before reading logs, so nothing else starts meanwhile.
    const placeholder = new StackStartError(`Service '${name}' failed: ${why}.`, this.outcomes, name);
    this.fail(placeholder);
    markNotStarted(this.outcomes);
    const ids = this.containers[name] ?? [];
    let logs = '';
    try {
      logs = await this.engine.tailLogs(ids[0], this.options.logLines);
    } catch {
      logs = '(logs unavailable)';
    }
    const afterSeconds = (Date.now() - this.startedAt[name]) / 1000;
    Object.assign(placeholder, { message: serviceFailureMessage({ service: name, why, afterSeconds, blocked, logLines: this.options.logLines, logs }), logs });
  }

  private timeoutError(overdue: string | undefined): StackStartError {
    const waiting = this.options.plan.services.filter((n) => this.outcomes[n].status === 'starting');
    const message = timeoutMessage({
      plan: this.options.plan,
      outcomes: this.outcomes,
      timeoutMs: this.options.timeoutMs,
      overdue: overdue ? { service: overdue, seconds: this.options.rules[overdue]?.timeoutSeconds } : undefined,
      lastObservation: this.lastObservation,
    });
    return new StackStartError(message, this.outcomes, overdue ?? waiting[0]);
  }
}
