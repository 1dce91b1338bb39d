// How compose is invoked, and the settings of its calls that inputs choose.

/** `docker compose …`, or the user's own command (input `compose-command`). */
export interface ComposeCli {
  command: string;
  baseArgs: string[];
  /**
   * How the log names it when that is not its command: the CLI's compose plugin run as its own
   * binary (see pluginBinary) is still `docker compose` to the user.
   */
  shownAs?: string;
}

/** The Compose v2 plugin of the Docker CLI, as on GitHub's runners. */
export const DOCKER_COMPOSE: ComposeCli = { command: 'docker', baseArgs: ['compose'] };

/** A v2 standalone binary some machines still have on PATH under v1's name. */
export const STANDALONE_COMPOSE: ComposeCli = { command: 'docker-compose', baseArgs: [] };

/** A command given as words (input `compose-command`), e.g. `['docker', 'compose']`. */
export function cliFromCommand(words: string[]): ComposeCli {
  return { command: words[0], baseArgs: words.slice(1) };
}

export type PullPolicy = 'missing' | 'always' | 'never';

/** How the log names the compose command, e.g. `docker compose`. */
export function cliName(cli: ComposeCli): string {
  return cli.shownAs ?? [cli.command, ...cli.baseArgs].join(' ');
}

/**
 * The CLI's compose plugin, called as the binary it is. `docker compose` costs the CLI's start and
 * a metadata run of the plugin before compose itself starts, on every call; the plugin binary
 * takes compose's arguments directly (as the standalone `docker-compose`, which it is).
 */
export function pluginBinary(path: string): ComposeCli {
  return { command: path, baseArgs: [], shownAs: cliName(DOCKER_COMPOSE) };
}

export function sameCli(a: ComposeCli, b: ComposeCli): boolean {
  return cliName(a) === cliName(b);
}
