// Which Compose the action drives: Compose v2 of a supported version, found before anything is
// created. Compose v1 (the Python `docker-compose` 1.x) reached its end of life in 2023; it is
// refused with a message that says how to get v2.

/** The oldest Compose the action supports: the oldest the project's smoke run tests (see README). */
export const MINIMUM_COMPOSE = '2.26.1';

export interface ComposeVersion {
  major: number;
  minor: number;
  patch: number;
  /** As compose printed it, e.g. `2.40.3-3` or `v2.38.2`. */
  text: string;
}

/**
 * Reads what `compose version` prints (`Docker Compose version v2.38.2`, Debian's `Docker Compose
 * version 2.40.3-3`, v1's `docker-compose version 1.29.2, build 5becea4c`), or a bare version.
 */
export function parseComposeVersion(output: string): ComposeVersion | undefined {
  const m = /(?:^|version )(v?(\d+)\.(\d+)\.(\d+)[^\s,]*)/.exec(output.trim());
  return m ? { major: Number(m[2]), minor: Number(m[3]), patch: Number(m[4]), text: m[1] } : undefined;
}

/** True when `v` is `minimum` (a `major.minor.patch` string) or newer. */
export function atLeast(v: ComposeVersion, minimum: string): boolean {
  const min = parseComposeVersion(minimum) as ComposeVersion;
  const a = [v.major, v.minor, v.patch];
  const b = [min.major, min.minor, min.patch];
  const i = a.findIndex((n, k) => n !== b[k]);
  return i === -1 || a[i] > b[i];
}

const HOW_TO_GET_V2 =
  "Install the Compose v2 plugin: Docker's package 'docker-compose-plugin' (or Debian 13's 'docker-compose'), or put a v2 release's 'docker-compose' binary into ~/.docker/cli-plugins/ or /usr/local/lib/docker/cli-plugins/; GitHub's hosted runners have it.";

/** Compose v1 found where v2 was looked for. */
export function composeV1Refusal(command: string, found: string): string {
  return `Compose v1 ('${command}' ${found}) is end-of-life since 2023 and not supported: this action needs Compose v2, ${MINIMUM_COMPOSE} or newer. ${HOW_TO_GET_V2}`;
}

/** No compose at all. */
export function composeMissing(tried: string[]): string {
  return `No Docker Compose found (${tried.join('; ')}). This action needs Compose v2, ${MINIMUM_COMPOSE} or newer. ${HOW_TO_GET_V2}`;
}

/**
 * The verdict on what `<command> version` printed: the version where it is a supported v2, else
 * the message the step fails with.
 */
export function judgeComposeVersion(command: string, output: string): { version: ComposeVersion } | { refusal: string } {
  const v = parseComposeVersion(output);
  if (!v)
    return {
      refusal: `'${command} version' printed '${output.trim().slice(0, 200)}', which is no Compose version this action knows. It needs Compose v2, ${MINIMUM_COMPOSE} or newer.`,
    };
  if (v.major < 2) return { refusal: composeV1Refusal(command, v.text) };
  if (!atLeast(v, MINIMUM_COMPOSE)) {
    return { refusal: `Compose ${v.text} ('${command}') is older than ${MINIMUM_COMPOSE}, the oldest this action supports. Update the Compose v2 plugin. ${HOW_TO_GET_V2}` };
  }
  return { version: v };
}
