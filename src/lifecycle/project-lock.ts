import { randomBytes } from 'crypto';
import { PreviewLabels } from '../compose/labels';
import { errorText } from '../compose/error-text';
import { EngineCalls } from '../engine/engine-calls';
import { sleep } from '../engine/abort-signals';

// One compose run at a time per deployed project, across jobs and runners that share an engine:
// a lock container (created, never started; see createLockArgs) named after the project. Deploy,
// down and sweep take it; a second deploy waits for the first, bounded by 'timeout'. The lock
// carries a lease: a holder that died without releasing it (runner lost, job killed) blocks others
// only until its lease is over; then the next run takes it over, saying so.

export interface HeldLock {
  name: string;
  token: string;
}

export interface LockOptions {
  /** How long to wait for another holder; 0: try once. */
  waitMs: number;
  /** How long this run may hold the lock before another may take it over. */
  leaseMs: number;
  /** The run asking, shown to whoever waits for it. */
  run?: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  pollMs?: number;
}

export const lockName = (project: string): string => `${project}-ephemeral-compose-lock`;

/**
 * A holder's lease: its readiness wait plus room for what comes before it (pulls and builds, which
 * no input bounds), so a live run is never overtaken and a dead one blocks others for a bounded time.
 */
export const LEASE_MARGIN_MS = 30 * 60 * 1000;
export const leaseFor = (waitMs: number): number => waitMs + LEASE_MARGIN_MS;

function describeHolder(labels: Record<string, string> | undefined): string {
  if (!labels) return 'a run that has just released it';
  const since = labels[PreviewLabels.DeployedAt];
  return `${labels[PreviewLabels.Run] ?? 'a run outside GitHub Actions'}${since ? `, since ${since}` : ''}`;
}

/**
 * Removes the lock if its holder's lease is over, by the id it had when judged: a lock another run
 * created since under the same name is not touched. A lock without a lease is never taken over.
 */
async function takeOverExpired(docker: EngineCalls, project: string, log: (line: string) => void): Promise<boolean> {
  const holder = await docker.containerIdAndLabels(lockName(project));
  const until = Date.parse(holder?.labels[PreviewLabels.LeaseUntil] ?? '');
  if (!holder || Number.isNaN(until) || until > Date.now()) return false;
  await docker.removeContainers([holder.id]).catch(() => undefined);
  log(`Project ${project}'s lock was held by ${describeHolder(holder.labels)} until ${new Date(until).toISOString()}, which has passed: taken over.`);
  return true;
}

/** The lock, or undefined when another run holds it and `waitMs` passed (0: at once). */
export async function tryProjectLock(docker: EngineCalls, project: string, options: LockOptions): Promise<HeldLock | undefined> {
  const name = lockName(project);
  const token = randomBytes(8).toString('hex');
  const labels = {
    [PreviewLabels.Lock]: project,
    [PreviewLabels.LockToken]: token,
    [PreviewLabels.DeployedAt]: new Date().toISOString(),
    [PreviewLabels.LeaseUntil]: new Date(Date.now() + options.leaseMs).toISOString(),
    ...(options.run ? { [PreviewLabels.Run]: options.run } : {}),
  };
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    if (await docker.createLock(name, labels)) return { name, token };
    if (await takeOverExpired(docker, project, options.log)) continue;
    if (Date.now() >= deadline || options.signal?.aborted) return undefined;
    if (!told) {
      options.log(`Project ${project} is being changed by another run (${describeHolder(await docker.containerLabels(name))}): waiting for it.`);
      told = true;
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
  }
}

/** The lock, waiting up to `waitMs`; an error naming the project and the holder otherwise. */
export async function acquireProjectLock(docker: EngineCalls, project: string, options: LockOptions): Promise<HeldLock> {
  const lock = await tryProjectLock(docker, project, options);
  if (lock) return lock;
  if (options.signal?.aborted) throw new Error(`Cancelled while waiting for the lock of project ${project}.`);
  const labels = await docker.containerLabels(lockName(project));
  const lease = labels?.[PreviewLabels.LeaseUntil];
  throw new Error(
    `Project ${project} is still being changed by another run (${describeHolder(labels)}) after ${Math.round(options.waitMs / 1000)} s ('timeout'). ` +
      `If that run is gone, remove its lock: docker rm ${lockName(project)}${lease ? ` (the next run takes it over after ${lease}, when its lease ends)` : ''}`,
  );
}

/** Removes the lock if it is still this run's (one removed by hand may have been taken since); says whether it did. */
export async function releaseProjectLock(docker: EngineCalls, lock: HeldLock): Promise<boolean> {
  const labels = await docker.containerLabels(lock.name);
  if (labels?.[PreviewLabels.LockToken] !== lock.token) return false;
  await docker.removeContainers([lock.name]);
  return true;
}

/**
 * Releases the lock as above; a failure is a warning with the command that removes it by hand.
 * 'not-held': someone removed it by hand and another run may hold it now.
 */
export async function releaseLockOrWarn(docker: EngineCalls, lock: HeldLock, warn: (line: string) => void): Promise<'released' | 'not-held' | 'failed'> {
  try {
    return (await releaseProjectLock(docker, lock)) ? 'released' : 'not-held';
  } catch (e) {
    warn(`Could not release the lock ${lock.name}: ${errorText(e)}. Remove it with: docker rm ${lock.name}`);
    return 'failed';
  }
}
