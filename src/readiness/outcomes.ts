import { ContainerFacts } from '../engine/container-facts';

// What the wait found for each service: read by the outputs, the summary and the failure message.

export type ServiceStatus = 'pending' | 'starting' | 'ready' | 'completed' | 'skipped' | 'failed' | 'timed-out' | 'not-started';

/** How readiness was shown. */
export type ReadyHow = 'healthy' | 'listening' | 'responding' | 'log matched' | 'completed' | 'running' | 'started' | 'scaled to 0';

export interface ServiceOutcome {
  name: string;
  status: ServiceStatus;
  how?: ReadyHow;
  /** The probe waited for, as the log and summary say it. */
  probe?: string;
  /** What the verdict rests on, e.g. the ports that accepted. */
  judged?: string;
  readyMs?: number;
  /** Wall-clock time the action saw the service ready (ISO 8601). */
  readyAt?: string;
  containers: ContainerFacts[];
  detail?: string;
  /** How its container ended, when that decided the verdict: a one-shot's completion, or an exit or crash loop that failed it. */
  exitCode?: number;
}

export type Outcomes = Record<string, ServiceOutcome>;

/** The stack did not come up; `outcomes` says how far each service got. */
export class StackStartError extends Error {
  constructor(
    message: string,
    readonly outcomes: Outcomes,
    readonly failedService?: string,
    readonly logs?: string,
  ) {
    super(message);
  }
}

/** Ready or finished for good: dependents may go ahead. */
export function isSettled(o: ServiceOutcome): boolean {
  return o.status === 'ready' || o.status === 'completed' || o.status === 'skipped';
}

/** Every service pending, but those scaled to 0: nothing to start, and their dependents go ahead. */
export function initialOutcomes(services: readonly string[], scaledToZero: Iterable<string> = []): Outcomes {
  const outcomes: Outcomes = Object.fromEntries(services.map((name) => [name, { name, status: 'pending', containers: [] }]));
  for (const name of scaledToZero) if (outcomes[name]) Object.assign(outcomes[name], { status: 'skipped', how: 'scaled to 0' });
  return outcomes;
}

/** Records how and when a service was seen ready (or completed), `ms` after its start. */
export function recordReady(o: ServiceOutcome, how: ReadyHow, ms: number): void {
  o.status = how === 'completed' ? 'completed' : 'ready';
  o.how = how;
  o.readyMs = ms;
  o.readyAt = new Date().toISOString();
}
