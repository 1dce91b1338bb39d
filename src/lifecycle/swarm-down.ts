import { SwarmCalls } from '../engine/swarm';

// A stack on Swarm removed and gone: `docker stack rm` returns once it has asked for the removal;
// the tasks stop and the networks go afterwards, on every node (a network stays while a task on it
// still shuts down). The next deploy of the same name, or a job that expects a clean engine, must
// not find them: the post step waits until nothing carries the stack's label.

export interface SwarmDownLog {
  info(line: string): void;
  warning(line: string): void;
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
