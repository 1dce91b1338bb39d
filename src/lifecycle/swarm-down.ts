import { SwarmCalls } from '../engine/swarm';

// A stack on Swarm removed and gone: `docker stack rm` returns once it has asked for the removal;
// the tasks stop and the networks go afterwards, on every node (a network stays while a task on it
// still shuts down). The next deploy of the same name, or a job that expects a clean engine, must
// not find them: the post step waits until nothing carries the stack's label.

export interface SwarmDownLog {
  info(line: string): void;
  warning(line: string): void;
}

export interface SwarmLogsLog {
  info(line: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

/**
 * The last log lines of the stack's services (`docker service logs`, through the manager, whichever
 * node ran the task): all of them, or those failing now (a task that should run and does not).
 */
export async function printSwarmLogs(swarm: SwarmCalls, stack: string, which: 'all' | 'failing', lines: number, log: SwarmLogsLog): Promise<void> {
  // The services on the swarm: a cancel or a failure may have come before the later levels.
  let services = (await swarm.services(stack).catch(() => [])).map((s) => s.name);
  if (which === 'failing') {
    const tasks = await swarm.tasks(stack).catch(() => []);
    const failing = new Set(tasks.filter((t) => t.desired.toLowerCase() === 'running' && t.state.toLowerCase() !== 'running').map((t) => t.service));
    services = services.filter((s) => failing.has(s));
  }
  for (const service of services) {
    const text = await swarm.serviceLogs(service, lines).catch((e: Error) => `(no logs: ${e.message})`);
    await log.group(`Logs of ${service.slice(stack.length + 1)} (docker service logs)`, () => Promise.resolve(log.info(text || '(none)')));
  }
}

const POLL_MS = 500;

/** Removes the stack and waits until its services, networks, configs and secrets are gone, at most `timeoutMs`. */
export async function swarmDown(swarm: SwarmCalls, stack: string, timeoutMs: number, log: SwarmDownLog, signal?: AbortSignal): Promise<boolean> {
  const started = Date.now();
  const before = await swarm.remaining(stack);
  if (before.length === 0) {
    log.info(`Stack ${stack} is not on the swarm: nothing to remove.`);
    return true;
  }
  log.info(`Removing stack ${stack} from the swarm (docker stack rm): ${before.length} object(s)`);
  await swarm.remove(stack);
  let left = before;
  while (Date.now() - started < timeoutMs && !signal?.aborted) {
    left = await swarm.remaining(stack);
    if (left.length === 0) {
      log.info(`Stack ${stack} removed: its services, networks, configs and secrets are gone (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return true;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  log.warning(`Stack ${stack}: still on the swarm after ${Math.round((Date.now() - started) / 1000)} s: ${left.join(', ')}. Remove it with: docker stack rm ${stack}`);
  return false;
}
