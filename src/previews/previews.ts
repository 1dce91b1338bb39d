import { ComposeLabels, PreviewLabels } from '../compose/labels';
import { DockerClient } from '../engine/docker';
import { projectWithoutFiles } from '../compose/compose-project';
import { DeployRecord, expiredRecords, readRecord, recordLabels } from './deploy-record';
import { deployRecordName } from '../lifecycle/record-volumes';
import { foreignProjectRefusal, isEmpty, notDeployed, ProjectResources } from '../lifecycle/ownership';
import { PostSettings } from '../lifecycle/post-settings';
import { PreparedStack } from '../lifecycle/prepare';
import { PreviewTarget } from './preview-target';
import { acquireProjectLock, containerLocks, HeldLock, leaseFor, LockStore, releaseLockOrWarn, tryProjectLock } from '../lifecycle/project-lock';
import { printServiceLogs, projectContainers, removeStack, TeardownLog } from '../lifecycle/teardown';
import { EngineCalls } from '../engine/engine-calls';

// Preview stacks: deployed and left running, updated in place by the next deploy, removed by
// `down` or, once their ttl has passed, by `sweep`. Only ever a project this action deployed.
// Where they live (an engine's compose projects, or a swarm's stacks) is a PreviewPlace; down and
// sweep are the same on both.

/** Where previews are deployed: whoever implements it removes only what this action deployed. */
export interface PreviewPlace {
  locks: LockStore;
  /** The records of every preview deployed here. */
  records(): Promise<DeployRecord[]>;
  /** Whether anything of the project is here. */
  exists(project: string): Promise<boolean>;
  /** Why the action does not `doing` the project (part of it was not deployed by this action), or undefined. */
  refusal(project: string, doing: string): Promise<string | undefined>;
  /** Logs as `logs` says, then the project removed. */
  remove(project: string, options: RemovalOptions): Promise<void>;
}

/** Previews as compose projects on one engine. */
export function enginePlace(docker: DockerClient): PreviewPlace {
  return {
    locks: containerLocks(docker),
    records: () => deployRecords(docker),
    exists: async (project) => !isEmpty(await docker.projectResources(project)),
    refusal: async (project, doing) => foreignProjectRefusal(project, await foreignResources(docker, project, await docker.projectResources(project)), doing),
    remove: (project, options) => removeDeployed(docker, project, options),
  };
}

const deployedFilter = (project: string): string => `${PreviewLabels.Deployed}=${project}`;

/** What of the project exists that this action did not deploy (nothing, for a project it may update). */
export async function foreignResources(docker: EngineCalls, project: string, all: ProjectResources): Promise<ProjectResources> {
  if (isEmpty(all)) return all;
  return notDeployed(all, await docker.projectResources(project, deployedFilter(project)));
}

/**
 * Stops, with the run's grace, the containers of services no longer in the files: compose removes
 * them as orphans, but Compose v2 stops them with its own 10 s grace whatever `--timeout` says.
 * Compose reads the action's file, which holds exactly the model's services, so "not in the model"
 * is compose's own orphan rule. Says which services they were.
 */
export async function stopOrphans(docker: EngineCalls, stack: PreparedStack, stopTimeoutSeconds: number): Promise<string[]> {
  const facts = await docker.inspect(await docker.containerIds(stack.project.name));
  const orphans = facts.filter((f) => f.status === 'running' && f.service && !(f.service in stack.model.services) && f.labels[ComposeLabels.OneOff] !== 'True');
  if (orphans.length > 0)
    await docker.stop(
      orphans.map((o) => o.id),
      stopTimeoutSeconds,
    );
  return [...new Set(orphans.map((o) => o.service))];
}

/** Rewrites the project's record: what it was deployed from, and until when it lives. */
export async function writeDeployRecord(docker: EngineCalls, project: string, target: PreviewTarget, now: Date, ttlSeconds?: number): Promise<DeployRecord> {
  const name = deployRecordName(project);
  const labels = recordLabels(project, target, now, ttlSeconds);
  await docker.removeVolumes([name]);
  await docker.createVolume(name, labels);
  return readRecord(labels) as DeployRecord;
}

export interface RemovalOptions {
  /** Told each lock taken (and undefined once released), so post can release one a cancel left. */
  holding?: (lock: HeldLock | undefined) => void;
  post: PostSettings;
  workingDirectory: string;
  /** How long to wait for a deploy of the same project that is under way. */
  lockWaitMs: number;
  run?: string;
  signal?: AbortSignal;
  log: TeardownLog;
}

const unhealthy = (c: { status: string; exitCode: number; health?: string }) =>
  c.status === 'restarting' || c.status === 'dead' || (c.status === 'exited' && c.exitCode !== 0) || c.health === 'unhealthy';

/**
 * Removes one deployed project, containers, networks and volumes; needs no compose file. One this
 * action did not deploy is refused; one that is gone already is a notice.
 */
export async function downProject(place: PreviewPlace, project: string, options: RemovalOptions): Promise<'removed' | 'gone'> {
  const lock = await acquireProjectLock(place.locks, project, {
    waitMs: options.lockWaitMs,
    leaseMs: leaseFor(options.lockWaitMs),
    run: options.run,
    signal: options.signal,
    log: (l) => options.log.info(l),
  });
  options.holding?.(lock);
  try {
    if (!(await place.exists(project))) return 'gone';
    const refusal = await place.refusal(project, 'remove');
    if (refusal) throw new Error(refusal);
    await place.remove(project, options);
    return 'removed';
  } finally {
    await release(place.locks, lock, options);
  }
}

/** Logs as `logs` says (on-failure: of containers that crashed, restart or are unhealthy), then removal. */
async function removeDeployed(docker: DockerClient, project: string, options: RemovalOptions): Promise<void> {
  const stack = { project: projectWithoutFiles(project, options.workingDirectory), post: options.post, outcome: 'success' as const };
  if (options.post.logs !== 'never') {
    const containers = await projectContainers(docker, stack, options.log);
    const shown = options.post.logs === 'always' ? containers : containers.filter(unhealthy);
    if (shown.length > 0) await printServiceLogs(docker, stack, options.log, shown);
  }
  await removeStack(docker, stack, options.log);
}

export interface SweptPreview extends DeployRecord {
  /** Why it went: "expired at …", "pull request #5 is merged". */
  why: string;
}

export interface SweepResult {
  removed: SweptPreview[];
  /** Deployed projects left: not expired (or without a ttl), their pull request not closed. */
  kept: number;
  /** Due, but left: being deployed right now, or holding what this action did not deploy. */
  skipped: string[];
}

/**
 * Says why a preview that has not expired should go anyway (its pull request is closed), or
 * undefined to keep it. Asked once per live record; a failure to tell keeps the preview.
 */
export type ClosedCheck = (record: DeployRecord) => Promise<string | undefined>;

async function deployRecords(docker: EngineCalls): Promise<DeployRecord[]> {
  return (await docker.labelledVolumes(PreviewLabels.Record)).map((v) => readRecord(v.labels)).filter((r): r is DeployRecord => r !== undefined);
}

/**
 * Removes every project this action deployed whose expiry has passed (never one without a ttl),
 * and, given `closed`, every one whose pull request is closed.
 */
export async function sweepPreviews(place: PreviewPlace, now: Date, options: RemovalOptions, closed?: ClosedCheck): Promise<SweepResult> {
  const all = await place.records();
  const expired = new Set(expiredRecords(all, now).map((r) => r.project));
  const due = new Map<string, string>();
  for (const r of all) if (expired.has(r.project)) due.set(r.project, `expired at ${r.expiresAt?.toISOString()}`);
  if (closed) {
    // One question at a time: GitHub's rate limits frown on bursts, and sweep has no hurry.
    for (const r of all.filter((x) => !expired.has(x.project))) {
      const why = await closed(r);
      if (why !== undefined) due.set(r.project, why);
    }
  }
  const result: SweepResult = { removed: [], kept: all.length - due.size, skipped: [] };
  for (const [project, why] of due) {
    const outcome = await removeDue(place, project, why, expired.has(project), options);
    if (outcome === 'skipped') result.skipped.push(project);
    else if (outcome === 'kept') result.kept += 1;
    else if (outcome) result.removed.push({ ...outcome, why });
  }
  return result;
}

/** One due project, under its lock; an expiry is judged again there (a deploy may have renewed it). */
async function removeDue(place: PreviewPlace, project: string, why: string, byExpiry: boolean, options: RemovalOptions): Promise<DeployRecord | 'kept' | 'skipped' | undefined> {
  // A deploy under way refreshes the expiry: not the moment to remove it.
  const lock = await tryProjectLock(place.locks, project, { waitMs: 0, leaseMs: leaseFor(0), run: options.run, log: (l) => options.log.info(l) });
  if (!lock) {
    options.log.info(`Project ${project} is due (${why}), but another run is changing it now: left.`);
    return 'skipped';
  }
  options.holding?.(lock);
  try {
    // Read again under the lock: a deploy that finished meanwhile has a new expiry.
    const current = (await place.records()).find((r) => r.project === project);
    if (!current) return undefined;
    if (byExpiry && expiredRecords([current], new Date()).length === 0) return 'kept';
    if (await place.refusal(project, 'remove')) {
      options.log.warning(`Project ${project} is due (${why}), but holds what this action did not deploy: left. Remove it yourself if it should go.`);
      return 'skipped';
    }
    options.log.info(byExpiry ? `Project ${project} ${why}${current.pr ? ` (pull request #${current.pr})` : ''}: removing it.` : `Project ${project}: ${why}, removing it.`);
    await place.remove(project, options);
    return current;
  } finally {
    await release(place.locks, lock, options);
  }
}

async function release(locks: LockStore, lock: HeldLock, options: RemovalOptions): Promise<void> {
  if ((await releaseLockOrWarn(locks, lock, (l) => options.log.warning(l))) !== 'failed') options.holding?.(undefined);
}
