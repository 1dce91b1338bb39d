import { LifetimeLabels, PreviewLabels } from '../compose/labels';
import { DockerClient } from '../engine/docker';
import { projectWithoutFiles } from '../compose/compose-project';
import { isDead, JobIdentity, LifetimeRecord, readLifetimeRecord } from './lifetime-record';
import { isEmpty } from './ownership';
import { PostSettings } from './post-settings';
import { containerLocks, leaseFor, releaseLockOrWarn, tryProjectLock } from './project-lock';
import { removeStack, TeardownLog } from './teardown';
import { EngineCalls } from '../engine/engine-calls';

// Stacks of dead runs: an ephemeral stack whose job was killed before its post step (runner lost,
// machine restarted, SIGKILL) is removed by the next run on the same engine once its lifetime
// record says no job that made it can still be running. Only ever a stack with such a record:
// never one of another tool, of an older version of this action, or a preview (previews have
// `ttl` and `sweep`).

export interface ReapResult {
  reaped: LifetimeRecord[];
  /** Recorded stacks whose time is not over (or that are the asking job's own). */
  alive: number;
  /** Dead, but left: another run is reaping it, or it holds a preview's resources. */
  skipped: string[];
}

export interface ReapOptions {
  asking: JobIdentity;
  /** How the stacks are removed: the grace their containers get. */
  post: Pick<PostSettings, 'stopTimeoutSeconds'>;
  workingDirectory: string;
  log: TeardownLog;
}

async function lifetimeRecords(docker: EngineCalls): Promise<LifetimeRecord[]> {
  const volumes = await docker.labelledVolumes(LifetimeLabels.Lifetime);
  return volumes.map((v) => readLifetimeRecord(v.labels)).filter((r): r is LifetimeRecord => r !== undefined);
}

/** Removes every stack whose lifetime record says its job is gone; one line per stack. */
export async function reapDeadStacks(docker: DockerClient, now: () => Date, options: ReapOptions): Promise<ReapResult> {
  const all = await lifetimeRecords(docker);
  const dead = all.filter((r) => isDead(r, now(), options.asking));
  const result: ReapResult = { reaped: [], alive: all.length - dead.length, skipped: [] };
  for (const record of dead) {
    const outcome = await reapOne(docker, record, now, options);
    if (outcome === 'reaped') result.reaped.push(record);
    else if (outcome === 'skipped') result.skipped.push(record.project);
  }
  return result;
}

/**
 * Two runs reaping at once: the project's lock (the one deploys take) lets one of them remove it;
 * the other leaves it. The record is read again under the lock: the other may have finished.
 */
async function reapOne(docker: DockerClient, record: LifetimeRecord, now: () => Date, options: ReapOptions): Promise<'reaped' | 'skipped' | 'gone'> {
  const { project } = record;
  const lock = await tryProjectLock(containerLocks(docker), project, { waitMs: 0, leaseMs: leaseFor(0), run: options.asking.run, log: (l) => options.log.info(l) });
  if (!lock) return 'skipped';
  try {
    const current = (await lifetimeRecords(docker)).find((r) => r.project === project);
    if (!current || !isDead(current, now(), options.asking)) return 'gone';
    // A preview under the same name (deployed since, by hand): its resources are not this record's.
    if (!isEmpty(await docker.projectResources(project, `${PreviewLabels.Deployed}=${project}`))) {
      options.log.warning(`Project ${project} has a lifetime record that ran out, but holds a preview's resources: left.`);
      return 'skipped';
    }
    options.log.info(
      `Project ${project} was left by ${current.run ?? 'a run outside GitHub Actions'}${current.createdAt ? ` (created ${current.createdAt.toISOString()})` : ''}, ` +
        `whose lifetime ended ${current.liveUntil.toISOString()}: removing it.`,
    );
    // By label only: no compose files are at hand for a stack another run made.
    await removeStack(
      docker,
      { project: projectWithoutFiles(project, options.workingDirectory), post: { stopTimeoutSeconds: options.post.stopTimeoutSeconds, downFlags: [] } },
      options.log,
    );
    return 'reaped';
  } finally {
    await releaseLockOrWarn(containerLocks(docker), lock, (l) => options.log.warning(l));
  }
}
