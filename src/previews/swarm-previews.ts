import { PreviewLabels, StackLabels } from '../compose/labels';
import { SwarmCalls, SwarmService } from '../engine/swarm';
import { acquireProjectLock, HeldLock, leaseFor, swarmLocks } from '../lifecycle/project-lock';
import { printSwarmLogs, swarmDown } from '../lifecycle/swarm-down';
import { DeployRecord, readRecord, recordLabels } from './deploy-record';
import { PreviewLog } from './preview-log';
import { PreviewTarget } from './preview-target';
import { PreviewPlace } from './previews';

// Previews as stacks on a swarm. Everything is asked of the manager, so any runner that reaches a
// manager may deploy, update or remove a preview: the lock is a config of the swarm, the record
// another one carrying the stack's label (so `docker stack rm` removes it with the stack), and the
// services carry the preview labels, which tell a stack this action deployed from one it did not.

/** How long removal waits for the stack's networks and the rest to go. */
export const SWARM_REMOVAL_MS = 120000;

export const swarmRecordName = (project: string): string => `${project}_ephemeral-compose-record`;

async function swarmRecords(swarm: SwarmCalls): Promise<DeployRecord[]> {
  return (await swarm.configs(PreviewLabels.Record)).map((c) => readRecord(c.labels)).filter((r): r is DeployRecord => r !== undefined);
}

/** Rewrites the stack's record (configs cannot change: removed and created again). */
export async function writeSwarmRecord(swarm: SwarmCalls, project: string, target: PreviewTarget, now: Date, ttlSeconds?: number): Promise<DeployRecord> {
  const name = swarmRecordName(project);
  const labels = { ...recordLabels(project, target, now, ttlSeconds), [StackLabels.Namespace]: project };
  const old = await swarm.config(name);
  if (old) await swarm.removeConfig(old.id);
  const record = readRecord(labels) as DeployRecord;
  await swarm.createConfig(name, labels, `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

/**
 * Deploy and down act on a stack only when all its services were deployed by this action (carry
 * the preview label naming the stack): why not, or undefined.
 */
function foreignStackRefusal(services: SwarmService[], project: string, doing: string): string | undefined {
  const foreign = services.filter((s) => s.labels[PreviewLabels.Deployed] !== project).map((s) => s.name);
  if (foreign.length === 0) return undefined;
  return (
    `Stack '${project}' is on the swarm but was not deployed by this action (service${foreign.length > 1 ? 's' : ''} ${foreign.join(', ')} without the label ${PreviewLabels.Deployed}), so it does not ${doing} it. ` +
    `The action never touches a stack it did not create: choose another 'project-name', or remove that stack yourself (docker stack rm ${project}).`
  );
}

/** Previews as stacks on the swarm the engine manages. */
export function swarmPlace(swarm: SwarmCalls): PreviewPlace {
  return {
    locks: swarmLocks(swarm),
    records: () => swarmRecords(swarm),
    exists: async (project) => (await swarm.remaining(project)).length > 0,
    refusal: async (project, doing) => foreignStackRefusal(await swarm.services(project), project, doing),
    remove: async (project, options) => {
      if (options.post.logs !== 'never') await printSwarmLogs(swarm, project, options.post.logs === 'always' ? 'all' : 'failing', options.post.logLines, options.log);
      if (!(await swarmDown(swarm, project, SWARM_REMOVAL_MS, options.log, options.signal)))
        throw new Error(`Stack ${project} was not removed within ${SWARM_REMOVAL_MS / 1000} s.`);
    },
  };
}

export interface SwarmPreviewOptions {
  project: string;
  target: PreviewTarget;
  lockWaitMs: number;
  ttlSeconds?: number;
  signal: AbortSignal;
  now: () => Date;
  log: PreviewLog;
  describeDuration: (seconds: number) => string;
}

/**
 * The preview deploy's steps before the stack is deployed: the lock, the stack's owner checked, the
 * record rewritten (its expiry renewed). Answers the lock, for the caller to release.
 */
export async function beginSwarmPreview(swarm: SwarmCalls, o: SwarmPreviewOptions, held: (lock: HeldLock) => void): Promise<DeployRecord> {
  const lock = await acquireProjectLock(swarmLocks(swarm), o.project, {
    waitMs: o.lockWaitMs,
    leaseMs: leaseFor(o.lockWaitMs),
    run: o.target.runUrl,
    signal: o.signal,
    log: (l) => o.log.info(l),
  });
  held(lock);
  const existing = await swarm.services(o.project);
  const refusal = foreignStackRefusal(existing, o.project, 'update');
  if (refusal) throw new Error(refusal);
  o.log.info(existing.length === 0 ? `Deploying stack ${o.project} (new).` : `Updating stack ${o.project} in place: Swarm replaces the tasks of what changed.`);
  const record = await writeSwarmRecord(swarm, o.project, o.target, o.now(), o.ttlSeconds);
  o.log.info(
    record.expiresAt
      ? `Expires ${record.expiresAt.toISOString()} (ttl ${o.describeDuration(o.ttlSeconds ?? 0)}), unless deployed again.`
      : 'No ttl: stays until command: down removes it.',
  );
  return record;
}
