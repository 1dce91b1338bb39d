import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// What the Docker CLI's own configuration says about a registry: whether it holds credentials for
// it. Pulls that need them go through compose, which reads them as the CLI does; the action never
// reads a credential itself.

/** The names Docker Hub goes by in the CLI's `auths`. */
const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/**
 * Whether the CLI may have credentials for `registry` (its `auths`, a credential helper for it,
 * or a credential store, which may hold any). A configuration that cannot be read counts as yes.
 */
export function mayHaveCredentials(env: NodeJS.ProcessEnv, registry: string): boolean {
  const file = path.join(env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker'), 'config.json');
  let config: { auths?: Record<string, unknown>; credsStore?: string; credHelpers?: Record<string, string> };
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof config;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  const keys = registry === 'docker.io' ? DOCKER_HUB_KEYS : [registry, `https://${registry}`, `http://${registry}`];
  const named = (record?: Record<string, unknown>) => Object.keys(record ?? {}).some((k) => keys.includes(k.replace(/\/+$/, '')) || keys.includes(k));
  return Boolean(config.credsStore) || named(config.credHelpers) || named(config.auths);
}
