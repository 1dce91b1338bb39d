import { ContainerFacts, willRestart } from '../engine/container-facts';
import { dependents, StartPlan } from '../plan/dependency-graph';
import { EngineEvent } from '../engine/engine-events';
import { NetworkProbe } from '../engine/network-probe';
import { exitCompletes, probeFor } from '../plan/readiness-rules';
import { describeProbe, WaitRule } from '../plan/wait-for';
import { ConcurrencyLimit } from './concurrency-limit';
import { markNotStarted, serviceFailureMessage, timeoutMessage } from './failure-description';
import { isSettled, Outcomes, ReadyHow, StackStartError } from './outcomes';
import { ServiceFailure, TrackedContainer } from './probe-context';
import { waiterFor } from './probes';
import { settleWindowEnd } from './settle-window';
import { StackEngine } from './stack-engine';
import { ChangeSignal } from './change-signal';
import { probeContextFor, ProbingSource } from './container-probing';
import { countAfresh, countRestart, mayBeWaitingFor } from './crash-loops';

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

/** Docker processes that readiness checks may run at once (a level of 100 services, say). */
const PROBE_PROCESSES = 8;

export class StackStarter {
  private readonly outcomes: Outcomes = {};
  private readonly tracked = new Map<string, TrackedContainer>();
  /** Container ids by service. */
  private readonly containers: Record<string, string[]> = {};
  private readonly startedAt: Record<string, number> = {};
  private readonly lastObservation: Record<string, string> = {};
  private readonly internal = new AbortController();
  private readonly changes = new ChangeSignal(this.internal.signal);
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
  private readonly probing: ProbingSource;

  constructor(
    private readonly engine: StackEngine,
    network: NetworkProbe,
    private readonly options: StartOptions,
  ) {
    for (const name of options.plan.services) this.outcomes[name] = { name, status: 'pending', containers: [] };
    for (const name of options.scaledToZero ?? []) {
      if (this.outcomes[name]) Object.assign(this.outcomes[name], { status: 'skipped', how: 'scaled to 0' });
    }
    this.addContainers(options.containers);
    this.probing = {
      engine,
      network,
      signal: this.internal.signal,
      limit: this.probeLimit,
      changes: this.changes,
      tracked: this.tracked,
      reachable: options.reachable,
      publishedHost: options.publishedHost,
      refresh: (t) => this.refresh([t]),
      observe: (service, why) => (this.lastObservation[service] = why),
      judge: (service, what) => (this.outcomes[service].judged = what),
    };
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

  /** A verdict is reached: the first failure wins, and everything waiting stops. */
  private get stopped(): boolean {
    return this.internal.signal.aborted;
  }

  private stop(): void {
    this.internal.abort();
    this.changes.notify();
  }

  private fail(error: StackStartError): void {
    if (this.stopped) return;
    this.failure = error;
    this.stop();
  }

  private settled(name: string): boolean {
    return isSettled(this.outcomes[name]);
  }

  private async schedule(): Promise<void> {
    const { plan } = this.options;
    const deadline = this.t0 + this.options.timeoutMs;
    while (!this.stopped) {
      const batch = plan.services.filter((n) => this.outcomes[n].status === 'pending' && !this.claimed.has(n) && plan.needs[n].every((d) => this.settled(d)));
      if (batch.length > 0) {
        // Not awaited: starting a batch takes the engine a while, and services that become
        // startable meanwhile must not queue behind it.
        for (const n of batch) this.claimed.add(n);
        const call: Promise<void> = this.startBatch(batch).finally(() => {
          this.inFlight.delete(call);
          this.changes.notify();
        });
        this.inFlight.add(call);
        continue;
      }
      const now = Date.now();
      if (plan.services.every((n) => this.settled(n))) {
        const settle = settleWindowEnd(this.tracked.values(), now);
        if (now >= settle) return;
        await this.changes.wake(settle - now);
        continue;
      }
      const overdue = plan.services.find((n) => this.outcomes[n].status === 'starting' && now >= this.ownDeadline(n));
      if (overdue || now >= deadline) {
        this.fail(this.timeoutError(overdue));
        break;
      }
      const next = Math.min(deadline, ...plan.services.filter((n) => this.outcomes[n].status === 'starting').map((n) => this.ownDeadline(n)));
      await this.changes.wake(Math.min(1000, Math.max(5, next - now)));
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
    if (this.stopped) return;
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
      if (this.stopped) return;
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
          this.changes.notify();
          this.judgeCrashLoops();
        },
        (e: unknown) => {
          if (this.stopped) return;
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
    const how = await waiterFor(probe)(probeContextFor(t, this.probing), probe);
    t.ready = true;
    return how;
  }

  private onEvent(e: EngineEvent): void {
    const t = this.tracked.get(e.id);
    if (!t || this.stopped) return;
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
    this.changes.notify();
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
    if (!facts || this.stopped) return;
    if (willRestart(facts, code)) {
      const verdict = countRestart(t, code, this.mayBeWaitingFor(t.service));
      if (verdict.kind === 'crash-loop') await this.crashLoopFailed(t);
      if (verdict.kind === 'waiting') {
        const others = verdict.for;
        this.options.log(
          `  ${t.service.padEnd(20)} ${'restarting'.padEnd(12)} ${t.restarts} exits (last code ${code}); judged once ${others.join(', ')} ${others.length > 1 ? 'are' : 'is'} up`,
        );
      }
    }
    // An exit after readiness was judged on the die event itself (onEvent).
    this.changes.notify();
  }

  private mayBeWaitingFor(name: string): string[] {
    return mayBeWaitingFor(this.options.plan, name, (n) => !this.settled(n) && this.outcomes[n].status !== 'failed');
  }

  private crashLoopFailed(t: TrackedContainer): Promise<void> {
    return this.serviceFailed(t.service, `container ${t.facts?.name ?? t.id} is restarting repeatedly (${t.restarts} exits, the last with code ${t.lastExitCode ?? '?'})`);
  }

  /** After a service settled, crash loops that were waiting on others are counted afresh. */
  private judgeCrashLoops(): void {
    countAfresh(this.tracked.values(), (t) => this.mayBeWaitingFor(t.service).length > 0);
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

  /**
   * A service failed: the wait stops at once (nothing else starts), then its logs are read and the
   * failure, with them, becomes the verdict.
   */
  private serviceFailed(name: string, why: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const o = this.outcomes[name];
    o.status = 'failed';
    o.detail = why;
    const blocked = dependents(this.options.plan, name).filter((d) => this.outcomes[d].status === 'pending');
    this.stop();
    markNotStarted(this.outcomes);
    this.finishing = (async () => {
      const ids = this.containers[name] ?? [];
      const logs = await this.engine.tailLogs(ids[0], this.options.logLines).catch(() => '(logs unavailable)');
      const afterSeconds = (Date.now() - this.startedAt[name]) / 1000;
      const message = serviceFailureMessage({ service: name, why, afterSeconds, blocked, logLines: this.options.logLines, logs });
      this.failure = new StackStartError(message, this.outcomes, name, logs);
    })();
    return this.finishing;
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
