import { createHash, randomBytes } from 'crypto';
import * as path from 'path';

/** Compose's rule: lower-case letters, digits, '-' and '_', starting with a letter or digit. */
export function sanitizeProjectName(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/-{2,}/g, '-')
    .replace(/[-_]+$/, '');
  return cleaned;
}

export function validateProjectName(name: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name)) {
    throw new Error(`Input 'project-name' must consist of lower-case letters, digits, '-' and '_' and start with a letter or digit; got '${name}'.`);
  }
  return name;
}

/**
 * A name unique to this step of this job run: repository, run id, attempt and job, plus a short
 * hash of the step id and the runner's name, so neither two uses of the action in one job nor
 * the legs of a matrix (same run and job id) on self-hosted runners sharing an engine collide.
 * Outside Actions there is no run to name, so a random suffix keeps parallel runs apart.
 */
export function defaultProjectName(env: NodeJS.ProcessEnv, fallbackBase: string): string {
  const runId = env.GITHUB_RUN_ID;
  if (runId) {
    const repo = sanitizeProjectName((env.GITHUB_REPOSITORY ?? '').split('/').pop() ?? '').slice(0, 30) || 'stack';
    const job = sanitizeProjectName(env.GITHUB_JOB ?? '').slice(0, 30);
    const step = createHash('sha256')
      .update(`${env.GITHUB_ACTION ?? ''}\0${env.RUNNER_NAME ?? ''}`)
      .digest('hex')
      .slice(0, 6);
    return sanitizeProjectName([repo, runId, env.GITHUB_RUN_ATTEMPT ?? '1', job, step].filter(Boolean).join('-'));
  }
  const base = sanitizeProjectName(fallbackBase).slice(0, 30) || 'stack';
  return `${base}-${randomBytes(4).toString('hex')}`;
}

/** Compose's name for a project named after its folder (compose-go's NormalizeProjectName). */
const folderName = (dir: string): string =>
  path
    .basename(dir)
    .toLowerCase()
    .replace(/[^-_a-z0-9]/g, '');

/**
 * One line when the project names itself (a top-level `name:`, COMPOSE_PROJECT_NAME in the
 * environment or .env) and this run uses another name; nothing when compose would only have used
 * the folder's name, which the user did not choose.
 */
export function replacedNameNotice(own: string | undefined, used: string, projectDirectory: string | undefined): string | undefined {
  if (!own || own === used) return undefined;
  if (projectDirectory && own === folderName(projectDirectory)) return undefined;
  return (
    `The project names itself '${own}' (its top-level name: or COMPOSE_PROJECT_NAME); this run names it '${used}', unique to this step, so runs on one engine never share containers. ` +
    `Set 'project-name: ${own}' to keep its own name; later steps reach this project through the exported COMPOSE_PROJECT_NAME.`
  );
}
