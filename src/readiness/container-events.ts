import { willRestart } from '../engine/container-facts';
import { EngineEvent } from '../engine/engine-events';
import { exitCompletes } from '../plan/readiness-rules';
import { TrackedContainer } from './probe-context';

// What one engine event means for the container it names. Decided on the event itself, not after
// an inspect round trip: a crash seen before the settle window ends must not lose the race to it.
// The scheduler acts on the meaning; this file only keeps the container's state.

export type EventMeaning =
  | { kind: 'started' }
  /** It exited; `failed` says why that fails its service (an exit after it was ready), `finished` that it was a one-shot done in its settle window. */
  | { kind: 'exited'; code: number; failed?: string; finished?: boolean }
  | { kind: 'unhealthy' }
  | { kind: 'other' };

export function applyEvent(t: TrackedContainer, e: EngineEvent, now = Date.now()): EventMeaning {
  if (e.action === 'start') {
    t.exitCode = undefined;
    t.eventHealth = undefined;
    t.lastStartMs = e.timeMs || now;
    return { kind: 'started' };
  }
  if (e.action === 'die') {
    const code = e.exitCode ?? 0;
    t.exitCode = code;
    return { kind: 'exited', code, ...exitAfterReady(t, code) };
  }
  if (e.action === 'health_status' && e.health) {
    t.eventHealth = e.health;
    return e.health === 'unhealthy' ? { kind: 'unhealthy' } : { kind: 'other' };
  }
  return { kind: 'other' };
}

/**
 * An exit once the container was judged ready: nothing, when its restart policy brings it back or
 * its probe counts the exit as completion (a one-shot seen running that exits 0 has finished);
 * otherwise its service failed.
 */
function exitAfterReady(t: TrackedContainer, code: number): { failed?: string; finished?: boolean } {
  if (!t.ready || !t.facts || willRestart(t.facts, code)) return {};
  if (t.probe && exitCompletes(t.probe, code, t.required, t.declaresPorts)) return { finished: code === 0 && t.probe.kind === 'running' };
  return { failed: `container ${t.facts.name} exited with code ${code} after it was ready` };
}

/** Why an unhealthy event fails its service, with the health check's last output if it can be read. */
export function unhealthyReason(t: TrackedContainer, lastHealthOutput = ''): string {
  const output = lastHealthOutput ? `; last health-check output: ${lastHealthOutput.slice(-500)}` : '';
  return `container ${t.facts?.name ?? t.id} became unhealthy${output}`;
}
