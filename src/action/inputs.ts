import * as core from '@actions/core';
import { InputDefaults, InputNames as Names } from './names';
import { PullPolicy } from '../compose/compose-cli';
import { parseBoolean, parseChoice, parseLines, parseList, parseSeconds, parseDuration } from './input-parsing';
import { urlTemplateFields } from '../outputs/url-template';
import { splitShellWords } from './shell-words';
import { parseWaitFor, WaitRule } from '../plan/wait-for';
import { PostSettings } from '../lifecycle/post-settings';
import { errorText } from '../compose/error-text';
import { BuildCache, parseBuildCache } from '../compose/build-cache';

export interface Inputs {
  composeFiles: string[];
  workingDirectory: string;
  projectName: string;
  services: string[];
  profiles: string[];
  envFiles: string[];
  build: boolean;
  pull: PullPolicy;
  /** A mirror of Docker Hub, host[:port][/path], without a scheme; empty: none. */
  registryMirror: string;
  /** Where builds keep their cache between jobs; undefined: none. */
  buildCache?: BuildCache;
  timeoutSeconds: number;
  waitFor: Record<string, WaitRule>;
  /** Host name for URLs; empty: localhost, or the remote engine's host. */
  host: string;
  /** DOCKER_HOST for every docker call of the run; empty: the environment's. */
  dockerHost: string;
  exportEnv: boolean;
  envPrefix: string;
  composeCommand?: string[];
  upFlags: string[];
  /** What the post step does; saved in the run's state as it is. */
  post: PostSettings;
  mode: Mode;
  /** `ephemeral`: host ports the files pin are left to the engine. */
  ports: PortsPolicy;
  /** Public URLs of HTTP services; '' for none. */
  urlTemplate: string;
  /** How long a deployed preview lives before `sweep` removes it; undefined: until `down`. */
  ttlSeconds?: number;
  comment: boolean;
  githubToken: string;
  /** A service to run in the foreground after the stack is ready, as `compose run`. */
  run?: RunRequest;
  /** Seconds the run may take; undefined: no limit. */
  runTimeoutSeconds?: number;
  /** How long an ephemeral stack may live before a later run reaps it; undefined: as the default says. */
  maxLifetimeSeconds?: number;
  /** `swarm`: the stack goes to the Swarm the engine manages (`docker stack deploy`). */
  engine: EngineKind;
}

export type EngineKind = 'compose' | 'swarm';

/**
 * No job on GitHub's hosted runners runs longer (the jobs' own limit, and `timeout-minutes`' default):
 * a stack older than that whose post step never ran was left by a dead job.
 */
export const DEFAULT_MAX_LIFETIME_SECONDS = 6 * 3600;

/**
 * Seconds after which a later run may reap this run's stack; undefined: never (`teardown: never`
 * keeps the stack on purpose, unless `max-lifetime` bounds it).
 */
export function stackLifetime(inputs: Pick<Inputs, 'maxLifetimeSeconds' | 'post'>): number | undefined {
  if (inputs.maxLifetimeSeconds !== undefined) return inputs.maxLifetimeSeconds;
  return inputs.post.teardown === 'never' ? undefined : DEFAULT_MAX_LIFETIME_SECONDS;
}

export interface RunRequest {
  service: string;
  /** Replaces the service's command when given. */
  command: string[];
}

/** `tests` or `tests: npm test -- --ci` (the command split as a shell would, nothing expanded). */
export function parseRun(value: string): RunRequest | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?::([\s\S]*))?$/.exec(text);
  if (!m) throw new Error(`Input 'run' must be a service name, optionally followed by ':' and a command; got '${value}'.`);
  return { service: m[1], command: m[2] === undefined ? [] : words('run', m[2]) };
}

/**
 * What a run does. The root action is always `ephemeral` (up for the job, down in post); the preview
 * action's `command` is one of the others: deploy (up, left for later runs), down (remove one),
 * sweep (remove the expired and the closed).
 */
export const PREVIEW_COMMANDS = ['deploy', 'down', 'sweep'] as const;
export type PreviewCommand = (typeof PREVIEW_COMMANDS)[number];
export const MODES = ['ephemeral', ...PREVIEW_COMMANDS] as const;
export type Mode = (typeof MODES)[number];

/** Which of the two actions runs: the stack for a job (action.yml) or a preview (preview/action.yml). */
export type ActionKind = 'stack' | 'preview';

/** Inputs of one action only (a unit test holds them to the two action.yml files). */
export const PREVIEW_ONLY: string[] = [Names.Command, Names.UrlTemplate, Names.Ttl, Names.Comment, Names.GithubToken];
export const STACK_ONLY: string[] = [Names.Teardown, Names.FailOnExit, Names.Run, Names.RunTimeout, Names.LogsArtifact, Names.MaxLifetime];
export type PortsPolicy = 'as-written' | 'ephemeral';

function words(name: string, value: string): string[] {
  try {
    return splitShellWords(value);
  } catch (e) {
    throw new Error(`Input '${name}': ${errorText(e)}.`);
  }
}

/**
 * `export-env`: `true` (the default), `false`, or a prefix for the names (`STACK_`), which also
 * means true: one input for whether and how.
 */
export function parseExportEnv(value: string): { exportEnv: boolean; envPrefix: string } {
  const v = value.trim();
  if (/^(true|yes|on|1|)$/i.test(v)) return { exportEnv: true, envPrefix: '' };
  if (/^(false|no|off|0)$/i.test(v)) return { exportEnv: false, envPrefix: '' };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(v)) {
    throw new Error(`Input 'export-env' must be true, false or a prefix for the names (letters, digits and '_', not starting with a digit, e.g. STACK_); got '${value}'.`);
  }
  return { exportEnv: true, envPrefix: v };
}

/** `logs`: when post prints them, and optionally how many lines of each (`always 500`; default 200). */
export function parseLogs(value: string): Pick<PostSettings, 'logs' | 'logLines'> {
  const [when = '', lines, ...rest] = value.trim().split(/\s+/);
  const logs = parseChoice(Names.Logs, rest.length > 0 ? value : when, ['on-failure', 'always', 'never'] as const);
  if (lines !== undefined && !/^[1-9][0-9]*$/.test(lines)) throw new Error(`Input 'logs': the lines to print must be a whole number above 0, got '${lines}' (e.g. 'always 500').`);
  return { logs, logLines: lines === undefined ? DEFAULT_LOG_LINES : Number(lines) };
}

/** Lines of each service's log post prints when `logs` gives no number. */
export const DEFAULT_LOG_LINES = 200;

/** What GitHub's artifact service refuses in a name, refused here before anything starts. */
function parseArtifactName(value: string): string {
  const name = value.trim();
  const bad = [...new Set(name.match(/["':<>|*?\\/\r\n]/g) ?? [])];
  if (bad.length > 0) throw new Error(`Input 'logs-artifact' must be an artifact name without ${bad.map((c) => JSON.stringify(c)).join(', ')}; got '${value}'.`);
  return name;
}

function parseDockerHost(value: string): string {
  const host = value.trim();
  if (host !== '' && !/^(unix|tcp|ssh|npipe|fd|https?):\/\/\S+$/.test(host)) {
    throw new Error(`Input 'docker-host' must be an engine address as DOCKER_HOST takes it (unix://, tcp://, ssh://...), got '${value}'.`);
  }
  return host;
}

function parseUrlTemplate(value: string): string {
  const template = value.trim();
  urlTemplateFields(template);
  return template;
}

/**
 * An empty input takes its default from the one table (the runner fills them from action.yml, but
 * a harness or a caller of getInputs may not).
 */
export function withDefaults(readRaw: (name: string) => string): (name: string) => string {
  return (name) => {
    const value = readRaw(name);
    return value.trim() === '' ? ((InputDefaults as Record<string, string>)[name] ?? '') : value;
  };
}

/** The inputs that say what post does. */
export function readPostSettings(read: (name: string) => string): PostSettings {
  return {
    teardown: parseChoice(Names.Teardown, read(Names.Teardown), ['always', 'never'] as const),
    ...parseLogs(read(Names.Logs)),
    stopTimeoutSeconds: parseSeconds(Names.StopTimeout, read(Names.StopTimeout), true),
    downFlags: words(Names.DownFlags, read(Names.DownFlags)),
    failOnExit: parseBoolean(Names.FailOnExit, read(Names.FailOnExit)),
    logsArtifact: parseArtifactName(read(Names.LogsArtifact)),
  };
}

/**
 * Reads and checks every input of the action that runs; a bad one fails the step before anything
 * is created. An input the other action has and this one does not reads as empty (its default).
 */
export function getInputs(readRaw: (name: string) => string = (n) => core.getInput(n), action: ActionKind = 'stack'): Inputs {
  const notHere = action === 'stack' ? PREVIEW_ONLY : STACK_ONLY;
  const read = withDefaults((name) => (notHere.includes(name) ? '' : readRaw(name)));
  const composeCommand = words(Names.ComposeCommand, read(Names.ComposeCommand));
  const host = read(Names.UrlHost).trim();
  if (/[\s/]/.test(host)) throw new Error(`Input 'url-host' must be a host name or address, got '${host}'.`);
  return {
    composeFiles: parseLines(read(Names.ComposeFile)),
    workingDirectory: read(Names.WorkingDirectory).trim(),
    projectName: read(Names.ProjectName).trim(),
    services: parseList(read(Names.Services)),
    profiles: parseList(read(Names.Profiles)),
    envFiles: parseLines(read(Names.EnvFile)),
    build: parseBoolean(Names.Build, read(Names.Build)),
    pull: parseChoice(Names.Pull, read(Names.Pull), ['missing', 'always', 'never'] as const),
    registryMirror: parseRegistryMirror(read(Names.RegistryMirror)),
    buildCache: parseBuildCache(read(Names.BuildCache)),
    engine: parseChoice(Names.Engine, read(Names.Engine), ['compose', 'swarm'] as const),
    timeoutSeconds: parseSeconds(Names.Timeout, read(Names.Timeout)),
    waitFor: parseWaitFor(read(Names.WaitFor).split(/\r?\n/)),
    host,
    dockerHost: parseDockerHost(read(Names.DockerHost)),
    ...parseExportEnv(read(Names.ExportEnv)),
    composeCommand: composeCommand.length > 0 ? composeCommand : undefined,
    upFlags: words(Names.UpFlags, read(Names.UpFlags)),
    post: readPostSettings(read),
    mode: action === 'preview' ? parseChoice(Names.Command, read(Names.Command), PREVIEW_COMMANDS) : 'ephemeral',
    ports: parseChoice(Names.Ports, read(Names.Ports), ['as-written', 'ephemeral'] as const),
    urlTemplate: parseUrlTemplate(read(Names.UrlTemplate)),
    ttlSeconds: read(Names.Ttl).trim() ? parseDuration(Names.Ttl, read(Names.Ttl)) : undefined,
    comment: parseBoolean(Names.Comment, read(Names.Comment)),
    // The runner fills the default (the job's token) from action.yml; a harness may give none.
    githubToken: read(Names.GithubToken).trim(),
    run: parseRun(read(Names.Run)),
    runTimeoutSeconds: read(Names.RunTimeout).trim() ? parseSeconds(Names.RunTimeout, read(Names.RunTimeout)) : undefined,
    maxLifetimeSeconds: read(Names.MaxLifetime).trim() ? parseDuration(Names.MaxLifetime, read(Names.MaxLifetime)) : undefined,
  };
}

/** A registry's host[:port] with an optional path; a scheme is taken off (the engine decides it). */
function parseRegistryMirror(raw: string): string {
  const mirror = raw
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (mirror && !/^[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._/-]+)?$/.test(mirror)) {
    throw new Error(`Input 'registry-mirror' must be a registry's host[:port], e.g. mirror.gcr.io; got '${raw.trim()}'.`);
  }
  return mirror;
}

/** The engine of every docker call, main's and post's: the input, else the environment's. */
export function engineEnvironment(inputs: Inputs, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const dockerHost = inputs.dockerHost || env.DOCKER_HOST || undefined;
  return dockerHost ? { ...env, DOCKER_HOST: dockerHost } : env;
}
