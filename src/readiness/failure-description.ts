import { StartPlan } from '../plan/dependency-graph';
import { isSettled, Outcomes, StackStartError } from './outcomes';

// The messages (and errors) a failed wait ends with, as pure functions of the plan and what each
// service got to.

/** Marks every service still pending as not started; returns their names. */
export function markNotStarted(outcomes: Outcomes): string[] {
  const names: string[] = [];
  for (const o of Object.values(outcomes)) {
    if (o.status === 'pending') {
      o.status = 'not-started';
      names.push(o.name);
    }
  }
  return names;
}

export interface ServiceFailureReport {
  service: string;
  why: string;
  /** Seconds since the service was started. */
  afterSeconds: number;
  /** Services that will not start because of it. */
  blocked: string[];
  logLines: number;
  logs: string;
}

/**
 * The most of a log a failure message carries: its end. A line count alone does not bound it (a
 * service may print lines of megabytes), and the message becomes an annotation and the step's error.
 */
export const MAX_LOG_CHARS = 16 * 1024;

/** A log's tail for a message: whole when short, else its last MAX_LOG_CHARS from a line's start, saying what was cut. */
export function logTail(logs: string): string {
  const text = logs.trim();
  if (text === '') return '(no output)';
  if (text.length <= MAX_LOG_CHARS) return text;
  let kept = text.slice(-MAX_LOG_CHARS);
  const lineStart = kept.indexOf('\n');
  if (lineStart >= 0 && lineStart < kept.length - 1) kept = kept.slice(lineStart + 1);
  return `[${text.length - kept.length} earlier characters cut]\n${kept}`;
}

export function serviceFailureMessage(r: ServiceFailureReport): string {
  const lines = [`Service '${r.service}' failed after ${r.afterSeconds.toFixed(1)}s: ${r.why}.`];
  if (r.blocked.length > 0) lines.push(`Not started because of it: ${r.blocked.join(', ')}.`);
  lines.push(`Last ${r.logLines} log lines of ${r.service}:`, logTail(r.logs));
  return lines.join('\n');
}

export interface TimeoutReport {
  plan: StartPlan;
  outcomes: Outcomes;
  timeoutMs: number;
  /** The service whose own `timeout=` ran out, if that is what ended the wait, and that timeout. */
  overdue?: { service: string; seconds: number | undefined };
  /** What was last seen of each service, for the message. */
  lastObservation: Record<string, string>;
  /** What a service not yet created waits for (its image, say). */
  notCreated?: (service: string) => string | undefined;
}

/**
 * Marks the services still waiting as timed out and the pending ones as not started, and says
 * what each was waiting for and what it last showed.
 */
export function timeoutMessage(r: TimeoutReport): string {
  const { plan, outcomes } = r;
  const waiting = plan.services.filter((n) => outcomes[n].status === 'starting');
  const describe = (n: string) => `${n} (waiting for ${outcomes[n].probe ?? 'its container'}${r.lastObservation[n] ? `; last: ${r.lastObservation[n]}` : ''})`;
  for (const n of waiting) outcomes[n].status = 'timed-out';
  const notStarted = markNotStarted(outcomes);
  const parts = [r.overdue ? `Service '${r.overdue.service}' was not ready within its own timeout of ${r.overdue.seconds} s.` : `Timed out after ${r.timeoutMs / 1000} s.`];
  parts.push(`Not ready: ${waiting.map(describe).join('; ')}.`);
  if (notStarted.length > 0) {
    const why = (n: string) => {
      const needs = plan.needs[n].filter((d) => !isSettled(outcomes[d]));
      const creation = r.notCreated?.(n);
      return needs.length > 0 ? `needs ${needs.join(', ')}` : creation ? `waiting for ${creation}` : 'needs nothing';
    };
    parts.push(`Not started: ${notStarted.map((n) => `${n} (${why(n)})`).join('; ')}.`);
  }
  return parts.join(' ');
}

/** Compose created no container for a service that is to start. */
export function noContainerError(service: string, outcomes: Outcomes): StackStartError {
  return new StackStartError(`Service '${service}' has no container: compose did not create it (is it scaled to 0?).`, outcomes, service);
}
