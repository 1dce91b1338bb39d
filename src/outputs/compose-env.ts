import * as path from 'path';

// What later steps need so that plain `docker compose ps|exec|logs|run` reach this run's project:
// compose reads these variables itself. Which names a use of the action exported is kept in one
// more variable, so a second use in the job can say what it overwrites, and neither that use's
// compose nor an earlier use's post step mistakes the other's values for the user's own settings.

export const EXPORTED_NAMES = 'EPHEMERAL_COMPOSE_EXPORTED';

export interface ComposeSelection {
  projectName: string;
  /** Absolute paths of the files compose read (or the one the action wrote for it). */
  files: string[];
  /** The `profiles` input; empty: compose's own (COMPOSE_PROFILES, .env) still apply later. */
  profiles: string[];
  /** The `env-file` input, absolute; empty: the project's .env, which compose finds again. */
  envFiles: string[];
}

export function composeVariables(s: ComposeSelection): Record<string, string> {
  const vars: Record<string, string> = { COMPOSE_PROJECT_NAME: s.projectName };
  // Compose splits COMPOSE_FILE on the platform's path list separator.
  if (s.files.length > 0) vars.COMPOSE_FILE = s.files.join(path.delimiter);
  if (s.profiles.length > 0) vars.COMPOSE_PROFILES = s.profiles.join(',');
  if (s.envFiles.length > 0) vars.COMPOSE_ENV_FILES = s.envFiles.join(',');
  return vars;
}

/** The names an earlier use of the action in this job exported. */
export function earlierExports(env: NodeJS.ProcessEnv): string[] {
  return (env[EXPORTED_NAMES] ?? '').split(/\s+/).filter(Boolean);
}

/**
 * The environment without the COMPOSE_* values an earlier use exported: compose must read this
 * use's project as the inputs and files say, not the earlier one's.
 */
export function withoutEarlierComposeExports(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const earlier = earlierExports(env).filter((n) => n.startsWith('COMPOSE_'));
  if (earlier.length === 0) return env;
  const out = { ...env };
  for (const name of earlier) delete out[name];
  return out;
}

/** The marker's new value: every name this job's uses exported so far. */
export function exportedNamesValue(env: NodeJS.ProcessEnv, names: string[]): string {
  return [...new Set([...earlierExports(env), ...names])].sort().join(' ');
}

/** Says which values an earlier use exported that this one overwrites, and how to keep both. */
export function overwriteWarning(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  const earlier = new Set(earlierExports(env));
  const overwritten = names.filter((n) => earlier.has(n)).sort();
  if (overwritten.length === 0) return undefined;
  const services = overwritten.filter((n) => !n.startsWith('COMPOSE_'));
  return (
    `An earlier use of this action in the job exported ${overwritten.join(', ')}; this step overwrites them, so later steps see this step's stack. ` +
    (services.length > 0 ? "Give each use its own prefix in 'export-env' to keep both stacks' service variables. " : '') +
    (overwritten.some((n) => n.startsWith('COMPOSE_')) ? "COMPOSE_* name one project at a time: reach the other with 'docker compose -p <its project-name output>'." : '')
  ).trim();
}
