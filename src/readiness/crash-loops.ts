import { ContainerFacts, willRestart } from '../engine/container-facts';
import { dependents, StartPlan } from '../plan/dependency-graph';
import { TrackedContainer } from './probe-context';

// When a container that its restart policy brings back counts as crash-looping. Many stacks have a
// service that exits until something it does not declare in depends_on is up, and lets its
// restart policy retry; that is a crash loop only once nothing it could be waiting for is still
// starting.

/** Exits through the restart policy before a container is judged crash-looping. */
export const RESTARTS_ALLOWED = 3;

/**
 * The services `name` may be waiting for without saying so: every other one that does not depend
 * on it and has not settled (or failed).
 */
export function mayBeWaitingFor(plan: StartPlan, name: string, unsettled: (service: string) => boolean): string[] {
  const after = new Set(dependents(plan, name));
  return plan.services.filter((n) => n !== name && !after.has(n) && unsettled(n));
}

/** What one more exit through the restart policy means for the container. */
export type RestartVerdict = { kind: 'counting' } | { kind: 'crash-loop' } | { kind: 'waiting'; for: string[] };

/**
 * After an exit: whether the restart policy brings the container back (its facts read again, as
 * the die event does not say), and if so, the count of its restarts judged. Undefined when it
 * stays down: that exit is judged by its probe or on the event.
 */
export async function judgeExit(
  inspect: (ids: string[]) => Promise<ContainerFacts[]>,
  t: TrackedContainer,
  code: number,
  waitingFor: () => string[],
): Promise<RestartVerdict | undefined> {
  try {
    const [facts] = await inspect([t.id]);
    if (facts) t.facts = facts;
  } catch {
    // judged on what was last seen
  }
  if (!t.facts || !willRestart(t.facts, code)) return undefined;
  return countRestart(t, code, waitingFor());
}

export function crashLoopReason(t: TrackedContainer): string {
  return `container ${t.facts?.name ?? t.id} is restarting repeatedly (${t.restarts} exits, the last with code ${t.lastExitCode ?? '?'})`;
}

/** Counts an exit the restart policy will follow with a restart, and judges it. */
export function countRestart(t: TrackedContainer, code: number, waitingFor: string[]): RestartVerdict {
  t.restarts++;
  t.lastExitCode = code;
  if (t.restarts < RESTARTS_ALLOWED) return { kind: 'counting' };
  return waitingFor.length === 0 ? { kind: 'crash-loop' } : { kind: 'waiting', for: waitingFor };
}

/**
 * After a service settled: containers that exited while others were still coming up get their
 * exits counted afresh once nothing is left to wait for, so their next retries, with everything
 * up, decide. Any container that has exited so far, not only one past the limit: an attempt that
 * began before the last service settled may still fail after it, and must not be the third.
 */
export function countAfresh(tracked: Iterable<TrackedContainer>, stillWaiting: (t: TrackedContainer) => boolean): void {
  for (const t of tracked) {
    if (t.restarts === 0 || t.countedAfresh) continue;
    if (stillWaiting(t)) continue;
    t.countedAfresh = true;
    t.restarts = 0;
  }
}
