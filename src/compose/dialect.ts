import { ServiceModel } from './compose-model';

// Every difference between Compose v1 (`docker-compose`, Python) and v2 (`docker compose`, the
// CLI plugin) that the action acts on lives here. Elsewhere the code reads engine facts (labels,
// inspect), which do not depend on the version, or accepts both output forms where it parses.

export type ComposeVersion = 'v1' | 'v2';

/** How compose is invoked: `docker compose …` or `docker-compose …` (or the user's command). */
export interface ComposeCli {
  command: string;
  baseArgs: string[];
}

export type PullPolicy = 'missing' | 'always' | 'never';

export interface ComposeDialect {
  version: ComposeVersion;
  /** Arguments of `up --no-start` for the pull policy: v1's `up` has no `--pull`. */
  upPullArgs(pull: PullPolicy): string[];
  /** v1 pulls for `always` in a `pull` call of its own ('never' cannot be enforced there). */
  pullsSeparately(pull: PullPolicy): boolean;
  /**
   * v1's `up --no-start` waits on conditional depends_on of containers it never starts, so it
   * must create services behind such an edge in later calls (`createWaves`).
   */
  createsInWaves: boolean;
  /**
   * Services whose start compose must do itself: v2 does more per container than `docker start`
   * (pre_start hook runners before, post_start hooks after, and from 2.37.3 copying in the secret
   * and config files it generates from `content:` or `environment:` sources); v1 connects every
   * network but the first.
   */
  startsItself(service: ServiceModel): boolean;
  /**
   * Whether it can drive an engine at ssh://. v1's docker library opens an ssh process per
   * connection and, with compose's parallel calls, hangs in `up` (seen with Debian's 1.29).
   */
  drivesSshEngines: boolean;
  /** Whether it follows DOCKER_CONTEXT and the CLI's current context (v1 talks to DOCKER_HOST or the local socket only). */
  readsContexts: boolean;
}

const V1: ComposeDialect = {
  version: 'v1',
  upPullArgs: () => [],
  pullsSeparately: (pull) => pull === 'always',
  createsInWaves: true,
  // v1 creates a container on its first network only and connects the others in its start path
  // (service.py start_container); a `docker start` would leave them out.
  startsItself: (s) => s.networks.length > 1,
  drivesSshEngines: false,
  readsContexts: false,
};

const V2: ComposeDialect = {
  version: 'v2',
  upPullArgs: (pull) => ['--pull', pull],
  pullsSeparately: () => false,
  createsInWaves: false,
  startsItself: (s) => s.hasHooks || s.hasGeneratedFiles,
  drivesSshEngines: true,
  readsContexts: true,
};

export function dialectOf(version: ComposeVersion): ComposeDialect {
  return version === 'v1' ? V1 : V2;
}

/**
 * The version behind a compose command: the `docker compose` plugin is v2; so is any command
 * whose `config` prints the project's `name:` (v1 never does), which covers a `compose-command`
 * naming a v2 binary directly.
 */
export function detectDialect(cli: ComposeCli, configYaml: string): ComposeDialect {
  const plugin = cli.command === 'docker' && cli.baseArgs[0] === 'compose';
  return dialectOf(plugin || /^name:/m.test(configYaml) ? 'v2' : 'v1');
}

/** How the log names the compose command, e.g. `docker compose`. */
export function cliName(cli: ComposeCli): string {
  return [cli.command, ...cli.baseArgs].join(' ');
}
