import { ComposeLabels, PreviewLabels } from '../compose/labels';
import { PreviewTarget } from './preview-target';

// A deployed project's record: a volume carrying the project's label (so removing the project by
// label removes it too) and what changes with each deploy (commit, expiry), rewritten every time.
// Volumes are used because an unused one can be replaced at once and costs nothing.

export interface DeployRecord {
  project: string;
  commit?: string;
  pr?: number;
  branch?: string;
  /** owner/name, whose pull request `sweep` asks about. */
  repository?: string;
  /** Absent: the project never expires, and `sweep` leaves it. */
  expiresAt?: Date;
  deployedAt?: Date;
  run?: string;
}

/** The labels on everything deployed: stable from one deploy to the next (see PreviewLabels). */
export function deployedLabels(project: string, target: Pick<PreviewTarget, 'pr'>): Record<string, string> {
  return { [PreviewLabels.Deployed]: project, ...(target.pr !== undefined ? { [PreviewLabels.PullRequest]: String(target.pr) } : {}) };
}

export function recordLabels(project: string, target: PreviewTarget, now: Date, ttlSeconds?: number): Record<string, string> {
  const labels: Record<string, string> = {
    [ComposeLabels.Project]: project,
    ...deployedLabels(project, target),
    [PreviewLabels.Record]: project,
    [PreviewLabels.DeployedAt]: now.toISOString(),
  };
  if (target.commit) labels[PreviewLabels.Commit] = target.commit;
  if (target.branch) labels[PreviewLabels.Branch] = target.branch;
  if (target.repository) labels[PreviewLabels.Repository] = target.repository;
  if (target.runUrl) labels[PreviewLabels.Run] = target.runUrl;
  if (ttlSeconds !== undefined) labels[PreviewLabels.Expires] = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  return labels;
}

/** Undefined for a volume that is not a record of this action's. */
export function readRecord(labels: Record<string, string>): DeployRecord | undefined {
  const project = labels[PreviewLabels.Record];
  if (!project || labels[PreviewLabels.Deployed] !== project || labels[ComposeLabels.Project] !== project) return undefined;
  const date = (v?: string) => {
    const d = v ? new Date(v) : undefined;
    return d && !Number.isNaN(d.getTime()) ? d : undefined;
  };
  const pr = Number(labels[PreviewLabels.PullRequest]);
  return {
    project,
    commit: labels[PreviewLabels.Commit],
    pr: Number.isInteger(pr) && pr > 0 ? pr : undefined,
    branch: labels[PreviewLabels.Branch],
    repository: labels[PreviewLabels.Repository] || undefined,
    expiresAt: date(labels[PreviewLabels.Expires]),
    deployedAt: date(labels[PreviewLabels.DeployedAt]),
    run: labels[PreviewLabels.Run],
  };
}

/** Records whose expiry has passed; never one without an expiry. */
export function expiredRecords(records: DeployRecord[], now: Date): DeployRecord[] {
  return records.filter((r) => r.expiresAt !== undefined && r.expiresAt.getTime() <= now.getTime());
}
