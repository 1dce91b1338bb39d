import { ComposeLabels, LifetimeLabels } from '../compose/labels';
import { lifetimeRecordName } from './record-volumes';
import { EngineCalls } from '../engine/engine-calls';

// An ephemeral stack's lifetime record: a volume carrying the project's label (so the post step's
// removal by label removes it with the stack) and which job made the stack, until when. Written
// before compose creates anything, so a stack left by a job killed at any later point has one.
// Compose's own labels cannot carry it: changing them would mean rewriting the user's files.

export interface LifetimeRecord {
  project: string;
  /** After this no job that made the stack can still be running. */
  liveUntil: Date;
  createdAt?: Date;
  run?: string;
  job?: string;
}

/** Who is running: enough to tell this job's stacks from those of every other job. */
export interface JobIdentity {
  /** `run id.attempt/job`; undefined outside GitHub Actions. */
  job?: string;
  /** The run's URL, shown to whoever finds the stack. */
  run?: string;
}

export function jobIdentity(env: NodeJS.ProcessEnv, runUrl?: string): JobIdentity {
  const job = env.GITHUB_RUN_ID ? `${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT || '1'}/${env.GITHUB_JOB ?? ''}` : undefined;
  return { job, run: runUrl };
}

export function lifetimeLabels(project: string, who: JobIdentity, now: Date, maxLifetimeSeconds: number): Record<string, string> {
  return {
    [ComposeLabels.Project]: project,
    [LifetimeLabels.Lifetime]: project,
    [LifetimeLabels.CreatedAt]: now.toISOString(),
    [LifetimeLabels.LiveUntil]: new Date(now.getTime() + maxLifetimeSeconds * 1000).toISOString(),
    ...(who.run ? { [LifetimeLabels.Run]: who.run } : {}),
    ...(who.job ? { [LifetimeLabels.Job]: who.job } : {}),
  };
}

/** Undefined for a volume that is not a lifetime record of this action's (or has no valid time). */
export function readLifetimeRecord(labels: Record<string, string>): LifetimeRecord | undefined {
  const project = labels[LifetimeLabels.Lifetime];
  if (!project || labels[ComposeLabels.Project] !== project) return undefined;
  const liveUntil = new Date(labels[LifetimeLabels.LiveUntil] ?? '');
  if (Number.isNaN(liveUntil.getTime())) return undefined;
  const createdAt = new Date(labels[LifetimeLabels.CreatedAt] ?? '');
  return {
    project,
    liveUntil,
    createdAt: Number.isNaN(createdAt.getTime()) ? undefined : createdAt,
    run: labels[LifetimeLabels.Run],
    job: labels[LifetimeLabels.Job],
  };
}

/**
 * The rule for "its run cannot still be alive": its time is over (no job runs longer than the
 * lifetime it was given) and it is not the asking job's own (a job that is running is alive,
 * whatever lifetime it gave its stacks).
 */
export function isDead(record: LifetimeRecord, now: Date, asking: JobIdentity): boolean {
  if (record.liveUntil.getTime() > now.getTime()) return false;
  return !(asking.job !== undefined && record.job === asking.job);
}

/** Records the stack's lifetime; before anything else of the project exists. */
export async function writeLifetimeRecord(docker: EngineCalls, project: string, who: JobIdentity, now: Date, maxLifetimeSeconds: number): Promise<LifetimeRecord> {
  const labels = lifetimeLabels(project, who, now, maxLifetimeSeconds);
  await docker.createVolume(lifetimeRecordName(project), labels);
  return readLifetimeRecord(labels) as LifetimeRecord;
}
