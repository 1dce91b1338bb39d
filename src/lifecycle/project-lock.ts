import { randomBytes } from 'crypto';
import { PreviewLabels } from '../compose/labels';
import { errorText } from '../compose/error-text';
import { EngineCalls } from '../engine/engine-calls';
import { SwarmCalls } from '../engine/swarm';
import { sleep } from '../engine/abort-signals';

// One run at a time per deployed project, across jobs and runners that share an engine (or a
// swarm): a lock object named after the project, which the engine gives to one creator only — a
// container, created and never started (see createLockArgs), or on Swarm a config (the managers
// agree on its name). Deploy, down and sweep take it; a second deploy waits for the first, bounded
// by 'timeout'. The lock carries a lease: a holder that died without releasing it (runner lost, job
// killed) blocks others only until its lease is over; then the next run takes it over, saying so.

export interface HeldLock {
  name: string;
  token: string;
  /** Where the lock is: a swarm's config (a container on the engine otherwise). */
  store?: 'swarm';
}

/** Where locks are made: whoever implements it must let only one creator have a name. */
export interface LockStore {
  readonly kind?: 'swarm';
  /** Creates the lock; false when one of that name exists. */
  createLock(name: string, labels: Record<string, string>): Promise<boolean>;
  /** The lock's id and labels, undefined when there is none. */
  lockIdAndLabels(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined>;
  /** Removes the lock by id (or name). */
  removeLock(id: string): Promise<void>;
  /** The command that removes it by hand. */
  removalCommand(name: string): string;
}

/** Locks as never-started containers of the engine. */
export function containerLocks(docker: EngineCalls): LockStore {
  return {
    createLock: (name, labels) => docker.createLock(name, labels),
    lockIdAndLabels: (name) => docker.containerIdAndLabels(name),
    removeLock: (id) => docker.removeContainers([id]),
    removalCommand: (name) => `docker rm ${name}`,
  };
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

/** Locks as configs of the swarm: a config's name is the managers' to give, once, whichever manager is asked. */
export function swarmLocks(swarm: SwarmCalls): LockStore {
  return {
    kind: 'swarm',
    createLock: (name, labels) => swarm.createConfig(name, labels, 'ephemeral-compose lock\n'),
    lockIdAndLabels: (name) => swarm.config(name),
    removeLock: (id) => swarm.removeConfig(id),
    removalCommand: (name) => `docker config rm ${name}`,
  };
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
async function takeOverExpired(locks: LockStore, project: string, log: (line: string) => void): Promise<boolean> {
  const holder = await locks.lockIdAndLabels(lockName(project));
  const until = Date.parse(holder?.labels[PreviewLabels.LeaseUntil] ?? '');
  if (!holder || Number.isNaN(until) || until > Date.now()) return false;
  await locks.removeLock(holder.id).catch(() => undefined);
  log(`Project ${project}'s lock was held by ${describeHolder(holder.labels)} until ${new Date(until).toISOString()}, which has passed: taken over.`);
  return true;
}

/** The lock, or undefined when another run holds it and `waitMs` passed (0: at once). */
export async function tryProjectLock(locks: LockStore, project: string, options: LockOptions): Promise<HeldLock | undefined> {
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
    if (await locks.createLock(name, labels)) return { name, token, ...(locks.kind ? { store: locks.kind } : {}) };
    if (await takeOverExpired(locks, project, options.log)) continue;
    if (Date.now() >= deadline || options.signal?.aborted) return undefined;
    if (!told) {
      options.log(`Project ${project} is being changed by another run (${describeHolder((await locks.lockIdAndLabels(name))?.labels)}): waiting for it.`);
      told = true;
    }
    await sleep(Math.min(options.pollMs ?? 1000, Math.max(0, deadline - Date.now())), options.signal);
  }
}

/** The lock, waiting up to `waitMs`; an error naming the project and the holder otherwise. */
export async function acquireProjectLock(locks: LockStore, project: string, options: LockOptions): Promise<HeldLock> {
  const lock = await tryProjectLock(locks, project, options);
  if (lock) return lock;
  if (options.signal?.aborted) throw new Error(`Cancelled while waiting for the lock of project ${project}.`);
  const labels = (await locks.lockIdAndLabels(lockName(project)))?.labels;
  const lease = labels?.[PreviewLabels.LeaseUntil];
  throw new Error(
    `Project ${project} is still being changed by another run (${describeHolder(labels)}) after ${Math.round(options.waitMs / 1000)} s ('timeout'). ` +
      `If that run is gone, remove its lock: ${locks.removalCommand(lockName(project))}${lease ? ` (the next run takes it over after ${lease}, when its lease ends)` : ''}`,
  );
}

/** Removes the lock if it is still this run's (one removed by hand may have been taken since); says whether it did. */
export async function releaseProjectLock(locks: LockStore, lock: HeldLock): Promise<boolean> {
  const holder = await locks.lockIdAndLabels(lock.name);
  if (!holder || holder.labels[PreviewLabels.LockToken] !== lock.token) return false;
  await locks.removeLock(holder.id);
  return true;
}

/**
 * Releases the lock as above; a failure is a warning with the command that removes it by hand.
 * 'not-held': someone removed it by hand and another run may hold it now.
 */
export async function releaseLockOrWarn(locks: LockStore, lock: HeldLock, warn: (line: string) => void): Promise<'released' | 'not-held' | 'failed'> {
  try {
    return (await releaseProjectLock(locks, lock)) ? 'released' : 'not-held';
  } catch (e) {
    warn(`Could not release the lock ${lock.name}: ${errorText(e)}. Remove it with: ${locks.removalCommand(lock.name)}`);
    return 'failed';
  }
}
