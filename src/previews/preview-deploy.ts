import { isEmpty, refuseForeignProject } from '../lifecycle/ownership';
import { acquireProjectLock, containerLocks, leaseFor } from '../lifecycle/project-lock';
import { UpKind } from '../lifecycle/up-kind';
import { DeployRecord, deployedLabels } from './deploy-record';
import { Commenter } from './pr-comment';
import { PreviewLog } from './preview-log';
import { PreviewTarget } from './preview-target';
import { foreignResources, stopOrphans, writeDeployRecord } from './previews';

// The preview action's `deploy`: the stack action's path on a project it may update (its own,
// deployed before, never one someone else made), under a lock so that two deploys of one pull
// request take turns, converged in place by compose, recorded with its expiry, and left up.

export interface PreviewDeployOptions {
  project: string;
  target: PreviewTarget;
  /** How long to wait for another deploy's lock (the step's timeout). */
  lockWaitMs: number;
  ttlSeconds?: number;
  /** The grace of stopped containers: of recreated services and of those gone from the files. */
  stopTimeoutSeconds: number;
  signal: AbortSignal;
  now: () => Date;
  log: PreviewLog;
  describeDuration: (seconds: number) => string;
  /** Makes the pull request's commenter once the record's expiry is known; absent without `comment`. */
  commenter?: (expiresAt: () => Date | undefined) => Commenter;
}

export function previewDeploy(o: PreviewDeployOptions): UpKind {
  let record: DeployRecord | undefined;
  const comment = o.commenter?.(() => record?.expiresAt);
  return {
    lock: (docker) =>
      acquireProjectLock(containerLocks(docker), o.project, {
        waitMs: o.lockWaitMs,
        leaseMs: leaseFor(o.lockWaitMs),
        run: o.target.runUrl,
        signal: o.signal,
        log: (l) => o.log.info(l),
      }),
    checkExisting: async (docker, stack) => {
      refuseForeignProject(o.project, await foreignResources(docker, o.project, stack.existing), 'update');
      o.log.info(isEmpty(stack.existing) ? `Deploying project ${o.project} (new).` : `Updating project ${o.project} in place: compose recreates what changed.`);
    },
    labels: (project) => deployedLabels(project, o.target),
    beforeCreate: async (docker, stack) => {
      const orphans = await stopOrphans(docker, stack, o.stopTimeoutSeconds);
      if (orphans.length > 0) o.log.info(`Removing ${orphans.join(', ')}: no longer in the compose files.`);
      record = await writeDeployRecord(docker, o.project, o.target, o.now(), o.ttlSeconds);
      o.log.info(
        record.expiresAt
          ? `Expires ${record.expiresAt.toISOString()} (ttl ${o.describeDuration(o.ttlSeconds ?? 0)}), unless deployed again.`
          : 'No ttl: stays until command: down removes it.',
      );
    },
    // Converged: changed services recreated (their old containers get the stop grace), services
    // gone from the files removed, the rest left running.
    upFlags: ['--remove-orphans', '--timeout', String(Math.round(o.stopTimeoutSeconds))],
    ready: async (report, secrets) => comment?.({ status: 'ready', report }, secrets),
    failed: async (message, report, secrets) => comment?.({ status: 'failed', failure: message, report }, secrets),
  };
}
