import { willRestart } from '../engine/container-facts';
import { RUNNING_SETTLE_MS } from '../plan/wait-for';
import { TrackedContainer } from './probe-context';

/**
 * "Running" is weak evidence: a process that crashes on start is running for an instant. The
 * wait ends only once every container judged that way has stayed up for a moment, so a crash (or a
 * restart loop) right after start fails the step instead of passing it. Dependents do not wait.
 * Returns when that moment is over (ms since the epoch; 0 when no container is judged so).
 */
export function settleWindowEnd(containers: Iterable<TrackedContainer>, now: number): number {
  let until = 0;
  for (const t of containers) {
    if (!t.ready || t.probe?.kind !== 'running') continue;
    const down = t.exitCode !== undefined;
    // Exited for good: a finished one-shot (a crash has failed the step already).
    if (down && !(t.facts && willRestart(t.facts, t.exitCode as number))) continue;
    // Counted from the container's own start, not from when the action saw it running; one the
    // engine is about to restart must stay up a whole window after it is back.
    const from = down ? now : (t.lastStartMs ?? t.facts?.startedAt ?? now);
    until = Math.max(until, from + (t.probe.settleMs ?? RUNNING_SETTLE_MS));
  }
  return until;
}
