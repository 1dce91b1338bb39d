import { sanitizeProjectName } from '../compose/project-name';
import { PreviewUrls } from '../outputs/url-template';

// What a preview is for: the pull request (or branch) and commit of the event that runs the
// workflow, read from the runner's environment and the event's payload (GITHUB_EVENT_PATH).

export interface PreviewTarget {
  /** The pull request's number on pull_request / pull_request_target events. */
  pr?: number;
  /** The branch: the pull request's head branch, else the pushed one. */
  branch: string;
  /** The commit deployed: the pull request's head, else GITHUB_SHA. */
  commit: string;
  /** owner/name */
  repository: string;
  event: string;
  /** The workflow run, as a link. */
  runUrl?: string;
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

interface EventPayload {
  number?: unknown;
  pull_request?: { number?: unknown; head?: { sha?: unknown; ref?: unknown } };
}

export function previewTarget(env: NodeJS.ProcessEnv, payload: unknown): PreviewTarget {
  const event = env.GITHUB_EVENT_NAME ?? '';
  const p = (payload && typeof payload === 'object' ? payload : {}) as EventPayload;
  const n = Number(p.pull_request?.number ?? p.number);
  const pr = PR_EVENTS.has(event) && Number.isInteger(n) && n > 0 ? n : undefined;
  const headSha = typeof p.pull_request?.head?.sha === 'string' ? p.pull_request.head.sha : undefined;
  const headRef = typeof p.pull_request?.head?.ref === 'string' ? p.pull_request.head.ref : undefined;
  const server = env.GITHUB_SERVER_URL;
  return {
    pr,
    branch: (pr !== undefined ? env.GITHUB_HEAD_REF || headRef : undefined) || env.GITHUB_REF_NAME || '',
    // On pull_request events GITHUB_SHA is the merge commit; the head is what the author pushed.
    commit: (pr !== undefined ? headSha : undefined) ?? env.GITHUB_SHA ?? '',
    repository: env.GITHUB_REPOSITORY ?? '',
    event,
    runUrl: server && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
  };
}

/** The fields `url-template` is filled with for this run's preview. */
export function previewUrls(template: string, project: string, target: PreviewTarget): PreviewUrls {
  return { template, project, pr: target.pr !== undefined ? String(target.pr) : '', branch: branchSlug(target.branch) };
}

/** A branch as it may appear in a host name or project name: lower case, '-' for anything else. */
export function branchSlug(branch: string): string {
  return branch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * `<repository name>-pr-<number>` for a pull request, else `<repository name>-<branch>`: the same
 * name on every run for the same pull request, so each deploy finds the last one's stack.
 */
export function previewProjectName(target: PreviewTarget, fallbackBase: string): string {
  const repo = sanitizeProjectName(target.repository.split('/').pop() ?? '') || sanitizeProjectName(fallbackBase) || 'preview';
  if (target.pr !== undefined) return sanitizeProjectName(`${repo}-pr-${target.pr}`);
  const branch = branchSlug(target.branch);
  if (!branch) throw new Error("No pull request or branch to name the preview after (GITHUB_EVENT_NAME, GITHUB_REF_NAME): set 'project-name'.");
  return sanitizeProjectName(`${repo}-${branch}`);
}
