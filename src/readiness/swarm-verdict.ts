import { SwarmTask } from '../engine/swarm';

// A service's tasks on Swarm, judged: the scheduler's states are the evidence. Swarm holds a task
// with a healthcheck in "starting" until the check passes, so "running" is already "healthy" for
// one; a job's task ends "complete" on exit 0 and "failed" on anything else.

/** Task states that end a task without it having done its work (a task that will not run again as it is). */
const FAILED_STATES = new Set(['failed', 'rejected', 'orphaned']);

/** The scheduler's error for a task that no node can take: it waits for a node that will never come. */
const UNSCHEDULABLE = /no suitable node/i;

/**
 * A rejection Swarm gets over by placing the task again: a node that still holds the subnet of a
 * network just removed (the stack before, on a busy swarm) refuses the new stack's network for a
 * moment. Only a service Swarm restarts gets over it; a job is never restarted.
 */
const TRANSIENT_REJECTION = /pool overlaps/i;

export type TaskVerdict =
  /** `nodes`: where its tasks run (or ran, for a job). */
  { kind: 'ready'; nodes: string[] } | { kind: 'waiting'; why: string } | { kind: 'failed'; why: string };

export interface TaskExpectation {
  /** How many tasks must run (or complete, for a job). */
  replicas: number;
  /** A job: its tasks must complete (exit 0). */
  job: boolean;
  /**
   * Only tasks of this deploy count: the service is new, its tasks are being replaced (its task
   * spec changed), or it is a job (every update runs it again). Otherwise tasks that were running
   * before the deploy count too: an unchanged service keeps them.
   */
  fresh?: boolean;
}

/**
 * One service's tasks against what it must reach. `known` are the ids of tasks that existed before
 * this deploy (their failures are history, not this run's); a task this run made that failed, was
 * rejected, or cannot be placed anywhere fails the service at once, naming the task's node.
 */
export function judgeTasks(service: string, tasks: SwarmTask[], expect: TaskExpectation, known: ReadonlySet<string>): TaskVerdict {
  const own = tasks.filter((t) => t.service === service);
  const retried: string[] = [];
  for (const t of own) {
    if (known.has(t.id)) continue;
    const state = t.state.toLowerCase();
    if (state === 'rejected' && !expect.job && TRANSIENT_REJECTION.test(t.error)) {
      retried.push(`rejected${t.node ? ` on ${t.node}` : ''} (${t.error}), placed again`);
      continue;
    }
    if (FAILED_STATES.has(state)) return { kind: 'failed', why: `task ${t.name}${t.node ? ` on node ${t.node}` : ''} ${state}${t.error ? `: ${t.error}` : ''}` };
    if (t.error && UNSCHEDULABLE.test(t.error)) return { kind: 'failed', why: `task ${t.name} cannot be placed: ${t.error}` };
  }
  const current = own.filter((t) => ['running', 'complete'].includes(t.desired.toLowerCase()) && !(expect.fresh && known.has(t.id)));
  const done = expect.job ? current.filter((t) => t.state.toLowerCase() === 'complete') : current.filter((t) => t.state.toLowerCase() === 'running');
  if (done.length >= expect.replicas) return { kind: 'ready', nodes: [...new Set(done.map((t) => t.node).filter(Boolean))] };
  const states = current.map((t) => `${t.state.toLowerCase()}${t.node ? ` on ${t.node}` : ''}${t.error ? ` (${t.error})` : ''}`);
  const goal = expect.job ? 'complete' : 'running';
  return {
    kind: 'waiting',
    why: `${done.length} of ${expect.replicas} task${expect.replicas === 1 ? '' : 's'} ${goal}${states.length > 0 ? `; tasks: ${[...new Set(states)].join(', ')}` : '; no task yet'}${retried.length > 0 ? `; ${[...new Set(retried)].join(', ')}` : ''}`,
  };
}
