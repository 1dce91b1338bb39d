import { ContainerFacts } from '../engine/container-facts';
import { dependents } from '../plan/dependency-graph';
import { EngineEvent } from '../engine/engine-events';
import { NetworkProbe } from '../engine/network-probe';
import { probeFor } from '../plan/readiness-rules';
import { describeProbe } from '../plan/wait-for';
import { ConcurrencyLimit } from './concurrency-limit';
import { markNotStarted, noContainerError, serviceFailureMessage, timeoutMessage } from './failure-description';
import { initialOutcomes, isSettled, Outcomes, ReadyHow, recordReady, StackStartError } from './outcomes';
import { ServiceFailure, TrackedContainer } from './probe-context';
import { waiterFor } from './probes';
import { settleWindowEnd } from './settle-window';
import { StackEngine } from './stack-engine';
import { Verdict } from './verdict';
import { StartOptions } from './start-options';
import { PROBE_PROCESSES, probeContextFor, ProbingSource } from './container-probing';
import { countAfresh, crashLoopReason, judgeExit, mayBeWaitingFor } from './crash-loops';
import { ContainerBook } from './container-book';
import { applyEvent, unhealthyReason } from './container-events';
import { startBatch } from './batch-start';
import { readyLine, restartingLine, startingLine } from './progress-lines';
import { errorText } from '../compose/error-text';

// Starts a created stack in dependency order: a service starts as soon as everything it needs is
// ready (services that become startable together start in one call, while earlier calls may still
// be starting others), and is watched through the engine's event stream until its readiness probe
// passes. Any failure stops the whole wait at once.

export class StackStarter {
  private readonly outcomes: Outcomes;
  private readonly book: ContainerBook;
  private readonly startedAt: Record<string, number> = {};
  private readonly lastObservation: Record<string, string> = {};
  private readonly verdict = new Verdict();
  private readonly changes = this.verdict.changes;
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
    this.outcomes = initialOutcomes(options.plan.services, options.scaledToZero);
    this.book = new ContainerBook(options.plan.services, options.containers);
    this.probing = {
      engine,
      network,
      signal: this.verdict.signal,
      limit: this.probeLimit,
      changes: this.changes,
      tracked: this.book.tracked,
      reachable: options.reachable,
      publishedHost: options.publishedHost,
      refresh: (t) => this.refresh([t]),
      observe: (service, why) => (this.lastObservation[service] = why),
      judge: (service, what) => (this.outcomes[service].judged = what),
    };
  }

  private missingContainers(services: string[]): string[] {
    return this.book.without(services).filter((n) => this.outcomes[n].status !== 'skipped' && !this.creating(n));
  }

  /** Compose is still to create the service's containers (its image is arriving). */
  private creating(name: string): Promise<Record<string, string[]>> | undefined {
    return this.book.idsOf(name).length === 0 ? this.options.later?.containersOf(name) : undefined;
  }

  async run(): Promise<Outcomes> {
    const { plan, signal } = this.options;
    const missing = this.missingContainers(plan.services);
    if (missing.length > 0) throw noContainerError(missing[0], this.outcomes);
    const onAbort = () => this.verdict.fail(new StackStartError('The step was cancelled while the stack was starting.', this.outcomes));
    signal.addEventListener('abort', onAbort);
    const events = this.engine.watchEvents((e) => this.onEvent(e), this.verdict.signal);
    // The stream only ends on its own when the daemon goes away; nothing can be seen after that.
    const lost = (how: string) => {
      this.verdict.fail(new StackStartError(`Lost the Docker engine while the stack was starting: its event stream ${how}. Was the daemon stopped or restarted?`, this.outcomes));
    };
    events.done.then(
      // 0: the engine ended it (the API); otherwise the CLI's `docker events` exited so.
      (code) => lost(code === 0 ? 'ended' : `ended (docker events exited with code ${code})`),
      (e: unknown) => lost(`failed (${errorText(e)})`),
    );
    try {
      await this.schedule();
      return this.outcomes;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.verdict.end();
      events.stop();
    }
  }

  private get stopped(): boolean {
    return this.verdict.reached;
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
        const settle = settleWindowEnd(this.book.tracked.values(), now);
        if (now >= settle) return;
        await this.changes.wake(settle - now);
        continue;
      }
      const overdue = plan.services.find((n) => this.outcomes[n].status === 'starting' && now >= this.ownDeadline(n));
      if (overdue || now >= deadline) {
        this.verdict.fail(this.timeoutError(overdue));
        break;
      }
      const next = Math.min(deadline, ...plan.services.filter((n) => this.outcomes[n].status === 'starting').map((n) => this.ownDeadline(n)));
      await this.changes.wake(Math.min(1000, Math.max(5, next - now)));
    }
    // Start calls still under way end first, so nothing starts after the verdict.
    await Promise.allSettled([...this.inFlight]);
    throw await this.verdict.error(this.outcomes);
  }

  /** A `wait-for ... timeout=N` deadline, counted from the service's start. */
  private ownDeadline(name: string): number {
    const own = this.options.rules[name]?.timeoutSeconds;
    return own !== undefined ? this.startedAt[name] + own * 1000 : Infinity;
  }

  private async startBatch(batch: string[]): Promise<void> {
    if (this.stopped) return;
    batch = this.startWhenCreated(batch);
    if (batch.length === 0) return;
    const missing = this.missingContainers(batch);
    if (missing.length > 0) {
      this.verdict.fail(noContainerError(missing[0], this.outcomes));
      return;
    }
    const { composeStarted, plan } = this.options;
    const alone = this.options.startAlone ?? new Set<string>();
    const viaEngine = batch.filter((n) => !composeStarted.has(n));
    const levels = [...new Set(batch.map((n) => plan.levels.findIndex((l) => l.includes(n))))].sort();
    this.options.log(startingLine(levels, batch, Date.now() - this.t0));
    for (const n of batch) {
      this.outcomes[n].status = 'starting';
      this.startedAt[n] = Date.now();
    }
    try {
      const ids = (names: string[]) => names.flatMap((n) => this.book.idsOf(n));
      const together = ids(viaEngine.filter((n) => !alone.has(n)));
      await startBatch(this.engine, { together, alone: ids(viaEngine.filter((n) => alone.has(n))), viaCompose: batch.filter((n) => composeStarted.has(n)) }, this.aloneLimit);
    } catch (e) {
      if (this.stopped) return;
      for (const n of batch) this.outcomes[n].status = 'failed';
      this.verdict.fail(new StackStartError(`Starting ${batch.join(', ')} failed: ${errorText(e)}`, this.outcomes, batch[0]));
      return;
    }
    for (const n of batch) {
      this.waitService(n).then(
        (how) => this.serviceReady(n, how),
        (e: unknown) => {
          if (this.stopped) return;
          if (e instanceof ServiceFailure) void this.serviceFailed(n, e.message);
          else this.verdict.fail(new StackStartError(`Waiting for '${n}' failed: ${errorText(e)}`, this.outcomes, n));
        },
      );
    }
  }

  /**
   * Of a batch, the services whose containers compose has still to create (their images arriving)
   * start once it has, those created in one call together; returns the rest, to start now.
   */
  private startWhenCreated(batch: string[]): string[] {
    const waits = new Map<Promise<Record<string, string[]>>, string[]>();
    for (const n of batch) {
      const created = this.creating(n);
      if (created) waits.set(created, [...(waits.get(created) ?? []), n]);
    }
    for (const [created, names] of waits) {
      created.then(
        (ids) => {
          for (const n of names) this.book.add(n, ids[n] ?? []);
          const call: Promise<void> = this.startBatch(names).finally(() => {
            this.inFlight.delete(call);
            this.changes.notify();
          });
          this.inFlight.add(call);
        },
        (e: unknown) => {
          if (this.stopped) return;
          for (const n of names) this.outcomes[n].status = 'failed';
          this.verdict.fail(new StackStartError(errorText(e), this.outcomes, names[0]));
        },
      );
    }
    return batch.filter((n) => ![...waits.values()].some((names) => names.includes(n)));
  }

  private serviceReady(name: string, how: ReadyHow): void {
    const o = this.outcomes[name];
    if (o.status !== 'starting') return;
    recordReady(o, how, Date.now() - this.startedAt[name]);
    if (how === 'completed') o.exitCode = this.book.exitCodeOf(name);
    this.options.log(readyLine(name, how, o.readyMs as number, o.judged));
    this.changes.notify();
    this.judgeCrashLoops();
  }

  private async refresh(ts: TrackedContainer[]): Promise<void> {
    const facts = await this.probeLimit.run(() => this.engine.inspect(ts.map((t) => t.id)));
    const name = ts[0]?.service;
    if (name) this.outcomes[name].containers = this.book.record(facts, name);
  }

  private async waitService(name: string): Promise<ReadyHow> {
    const ts = this.book.of(name);
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
    const t = this.book.get(e.id);
    if (!t || this.stopped) return;
    const meaning = applyEvent(t, e);
    if (meaning.kind === 'exited') {
      if (meaning.failed) void this.serviceFailed(t.service, meaning.failed);
      else if (meaning.finished) this.finishedInWindow(t.service);
      void this.afterExit(t, meaning.code);
    } else if (meaning.kind === 'unhealthy') void this.afterUnhealthy(t);
    this.changes.notify();
  }

  /** A one-shot seen running, then exiting 0 inside its settle window: it completed. */
  private finishedInWindow(name: string): void {
    const o = this.outcomes[name];
    if (o.status !== 'ready' || o.how !== 'running' || !this.book.of(name).every((c) => c.exitCode === 0)) return;
    recordReady(o, 'completed', Date.now() - this.startedAt[name]);
    o.exitCode = 0;
    this.options.log(readyLine(name, 'completed', o.readyMs as number));
  }

  private async afterExit(t: TrackedContainer, code: number): Promise<void> {
    const verdict = await judgeExit(
      (ids) => this.engine.inspect(ids),
      t,
      code,
      () => this.mayBeWaitingFor(t.service),
    );
    if (this.stopped) return;
    if (verdict?.kind === 'crash-loop') await this.serviceFailed(t.service, crashLoopReason(t));
    if (verdict?.kind === 'waiting') this.options.log(restartingLine(t.service, t.restarts, code, verdict.for));
    this.changes.notify();
  }

  private mayBeWaitingFor(name: string): string[] {
    return mayBeWaitingFor(this.options.plan, name, (n) => !this.settled(n) && this.outcomes[n].status !== 'failed');
  }

  /** After a service settled, crash loops that were waiting on others are counted afresh. */
  private judgeCrashLoops(): void {
    countAfresh(this.book.tracked.values(), (t) => this.mayBeWaitingFor(t.service).length > 0);
  }

  private async afterUnhealthy(t: TrackedContainer): Promise<void> {
    const [facts] = await this.engine.inspect([t.id]).catch(() => []);
    // The outputs then show the health the verdict rests on, not an older inspect's.
    if (facts) this.outcomes[t.service].containers = this.book.record([facts], t.service);
    await this.serviceFailed(t.service, unhealthyReason(t, facts?.lastHealthOutput));
  }

  /** A service failed: the wait stops at once, and its logs go into the verdict. */
  private serviceFailed(name: string, why: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const o = this.outcomes[name];
    o.status = 'failed';
    o.detail = why;
    o.exitCode = this.book.exitCodeOf(name);
    const blocked = dependents(this.options.plan, name).filter((d) => this.outcomes[d].status === 'pending');
    const { logLines } = this.options;
    const failing = this.verdict.failWith(async () => {
      const logs = await this.engine.tailLogs(this.book.idsOf(name)[0], logLines).catch(() => '(logs unavailable)');
      const afterSeconds = (Date.now() - this.startedAt[name]) / 1000;
      return new StackStartError(serviceFailureMessage({ service: name, why, afterSeconds, blocked, logLines, logs }), this.outcomes, name, logs);
    });
    markNotStarted(this.outcomes);
    return failing;
  }

  private timeoutError(overdue: string | undefined): StackStartError {
    const { plan, timeoutMs, rules } = this.options;
    const waiting = plan.services.filter((n) => this.outcomes[n].status === 'starting');
    const own = overdue ? { service: overdue, seconds: rules[overdue]?.timeoutSeconds } : undefined;
    const message = timeoutMessage({
      plan,
      outcomes: this.outcomes,
      timeoutMs,
      overdue: own,
      lastObservation: this.lastObservation,
      notCreated: (n) => this.options.later?.describe(n),
    });
    return new StackStartError(message, this.outcomes, overdue ?? waiting[0]);
  }
}
