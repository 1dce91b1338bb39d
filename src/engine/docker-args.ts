import { ComposeProject } from '../compose/compose-project';
import { ComposeLabels } from '../compose/labels';
import { PullPolicy } from '../compose/compose-cli';

// Pure argument builders for every docker and compose call, so what the action runs can be read
// (and tested) without running it.

/**
 * The flags of the inputs, and nothing more: compose, run in the working directory, chooses the
 * files (the default one and its override), the project directory and .env as `docker compose up`
 * does there. Only the name is always the action's.
 */
function composeGlobalArgs(p: ComposeProject): string[] {
  return ['--project-name', p.name, ...composeSelectionArgs(p)];
}

function composeSelectionArgs(p: ComposeProject): string[] {
  return [...p.files.flatMap((f) => ['--file', f]), ...p.envFiles.flatMap((f) => ['--env-file', f]), ...p.profiles.flatMap((f) => ['--profile', f])];
}

/** `services` named are enabled even behind a profile, as `compose up <service>` does. */
export function composeConfigArgs(p: ComposeProject, services: string[] = []): string[] {
  return [...composeGlobalArgs(p), 'config', ...(services.length > 0 ? ['--', ...services] : [])];
}

/** The variables compose interpolates the project with (Compose 2.30 and later). */
export function composeEnvironmentArgs(p: ComposeProject): string[] {
  return [...composeGlobalArgs(p), 'config', '--environment'];
}

/** Every service the files define, behind any profile. */
export function composeAllServicesArgs(p: ComposeProject): string[] {
  return [...composeGlobalArgs(p), '--profile', '*', 'config', '--services'];
}

/** The name compose gives the project on its own: the file's `name:`, COMPOSE_PROJECT_NAME or the folder. */
export function composeOwnNameArgs(p: ComposeProject): string[] {
  return [...composeSelectionArgs(p), 'config', '--format', 'json'];
}

export interface CreateOptions {
  build: boolean;
  pull: PullPolicy;
  services: string[];
  upFlags: string[];
}

/** Creates networks, volumes and containers without starting any: the action starts them itself. */
export function composeCreateArgs(p: ComposeProject, o: CreateOptions): string[] {
  return [
    ...composeGlobalArgs(p),
    'up',
    '--no-start',
    ...(o.build ? ['--build'] : []),
    '--pull',
    o.pull,
    // The action passes every service it runs, dependencies included, and orders them itself.
    '--no-deps',
    ...o.upFlags,
    '--',
    ...o.services,
  ];
}

/**
 * Pulls the image of one service as compose would for `up` (its platform, the credentials of the
 * CLI's config), printing plain per-layer progress: the action adds it up per image.
 */
export function composePullArgs(p: ComposeProject, service: string, pull: PullPolicy): string[] {
  return ['--progress', 'plain', ...composeGlobalArgs(p), 'pull', '--policy', pull === 'always' ? 'always' : 'missing', '--', service];
}

/**
 * Starts created containers through compose's own start path (hooks, files it writes). `up` on
 * containers that exist, not `start`: `compose start` does not copy in a secret whose source is
 * `environment:` (seen with Compose 2.40), `up` does. Nothing is recreated, built or pulled, and
 * nothing else is started.
 */
export function composeStartArgs(p: ComposeProject, services: string[]): string[] {
  return [...composeGlobalArgs(p), 'up', '--detach', '--no-deps', '--no-recreate', '--no-build', '--pull', 'never', '--', ...services];
}

/**
 * One service in the foreground, as `docker compose run`: its own container, removed after; what
 * it depends on is started and judged by the action first; no TTY (output as lines), stdin closed.
 */
export function composeRunArgs(p: ComposeProject, service: string, command: string[]): string[] {
  return [...composeGlobalArgs(p), 'run', '--rm', '--no-deps', '--no-TTY', '--', service, ...command];
}

/** Not `--short`: where the CLI has no compose plugin it would read that as a flag of its own. */
export function composeVersionArgs(): string[] {
  return ['version'];
}

export function composeDownArgs(p: ComposeProject, stopTimeoutSeconds: number, downFlags: string[]): string[] {
  return [...composeGlobalArgs(p), 'down', '--volumes', '--remove-orphans', '--timeout', String(Math.round(stopTimeoutSeconds)), ...downFlags];
}

/** The label every container, network and volume of the project carries. */
export const projectLabel = (project: string): string => `${ComposeLabels.Project}=${project}`;
export const projectFilter = (project: string): string => `label=${projectLabel(project)}`;

export function listContainersArgs(project: string): string[] {
  return ['ps', '--all', '--quiet', '--no-trunc', '--filter', projectFilter(project)];
}

export function inspectArgs(ids: string[]): string[] {
  return ['container', 'inspect', '--', ...ids];
}

export function imageInspectArgs(image: string): string[] {
  return ['image', 'inspect', '--format', '{{.Id}}', '--', image];
}

export function pullArgs(image: string): string[] {
  return ['pull', '--', image];
}

export function tagArgs(source: string, target: string): string[] {
  return ['tag', source, target];
}

/** Removes one name of an image, never the image's layers another name still uses. */
export function untagArgs(image: string): string[] {
  return ['image', 'rm', '--no-prune', '--', image];
}

/** Ids dealt round-robin into at most `calls` groups (none empty). */
export function startGroups(ids: string[], calls: number): string[][] {
  const groups: string[][] = Array.from({ length: Math.min(calls, ids.length) }, () => []);
  ids.forEach((id, i) => groups[i % groups.length].push(id));
  return groups;
}

export function startArgs(ids: string[]): string[] {
  return ['start', '--', ...ids];
}

export function eventsArgs(project: string, sinceSeconds: number): string[] {
  return ['events', '--format', '{{json .}}', '--filter', 'type=container', '--filter', projectFilter(project), '--since', sinceSeconds.toFixed(3)];
}

export function logsArgs(id: string, tail: number | 'all', follow = false, timestamps = false): string[] {
  return ['logs', '--tail', String(tail), ...(follow ? ['--follow'] : []), ...(timestamps ? ['--timestamps'] : []), '--', id];
}

export function execArgs(id: string, command: string[]): string[] {
  return ['exec', '--', id, ...command];
}

export function stopArgs(ids: string[], stopTimeoutSeconds: number): string[] {
  return ['stop', '--time', String(Math.round(stopTimeoutSeconds)), '--', ...ids];
}

export function removeContainersArgs(ids: string[]): string[] {
  return ['rm', '--force', '--volumes', '--', ...ids];
}

/** `--filter label=…` for each label given (all must match). */
const labelFilters = (labels: string[]): string[] => labels.flatMap((l) => ['--filter', `label=${l}`]);

/** Names (not ids) of what carries every label given, for messages a user reads. */
export function listContainerNamesArgs(labels: string[]): string[] {
  return ['ps', '--all', '--format', '{{.Names}}', ...labelFilters(labels)];
}

export function listNetworkNamesArgs(labels: string[]): string[] {
  return ['network', 'ls', '--format', '{{.Name}}', ...labelFilters(labels)];
}

export function listVolumeNamesArgs(labels: string[]): string[] {
  return ['volume', 'ls', '--quiet', ...labelFilters(labels)];
}

/** Each volume's labels as one JSON object per line. */
export function volumeLabelsArgs(names: string[]): string[] {
  return ['volume', 'inspect', '--format', '{{json .Labels}}', '--', ...names];
}

const labelArgs = (labels: Record<string, string>): string[] => Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

export function createVolumeArgs(name: string, labels: Record<string, string>): string[] {
  return ['volume', 'create', ...labelArgs(labels), '--', name];
}

/** An image with no files, from an empty tar archive: all a never-started container needs. */
export function importEmptyImageArgs(archive: string, tag: string): string[] {
  return ['image', 'import', archive, tag];
}

/** What a lock container would run: it never starts; the name says what it is in `docker ps -a`. */
export const LOCK_COMMAND = 'ephemeral-compose-lock';

/**
 * A container that is created and never started, as a lock: the engine gives a container name to
 * one creator only, on a local engine and a remote one alike.
 */
export function createLockArgs(name: string, image: string, labels: Record<string, string>): string[] {
  return ['container', 'create', '--name', name, ...labelArgs(labels), '--', image, LOCK_COMMAND];
}

export function containerIdAndLabelsArgs(name: string): string[] {
  return ['container', 'inspect', '--format', '{{.Id}} {{json .Config.Labels}}', '--', name];
}

/** One shell line a user can paste to remove what carries the project's label. */
export function manualRemovalCommand(project: string): string {
  const f = `--filter ${projectFilter(project)}`;
  return `docker rm -f -v $(docker ps -aq ${f}); docker network rm $(docker network ls -q ${f}); docker volume rm $(docker volume ls -q ${f})`;
}

/** The images' own environment (Dockerfile ENV), one JSON list per line; missing images are skipped. */
export function imageEnvArgs(images: string[]): string[] {
  return ['image', 'inspect', '--format', '{{json .Config.Env}}', '--', ...images];
}

export function listNetworksArgs(project: string): string[] {
  return ['network', 'ls', '--quiet', '--filter', projectFilter(project)];
}

/** The current context's engine address (DOCKER_CONTEXT, or the CLI's own choice). */
export function contextEndpointArgs(): string[] {
  return ['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}'];
}

/** Attaches a container to a network (the job container to the project's, in a container job). */
export function networkConnectArgs(network: string, container: string): string[] {
  return ['network', 'connect', '--', network, container];
}

export function networkDisconnectArgs(network: string, container: string): string[] {
  return ['network', 'disconnect', '--force', '--', network, container];
}

export function removeNetworksArgs(ids: string[]): string[] {
  return ['network', 'rm', '--', ...ids];
}

export function listVolumesArgs(project: string): string[] {
  return ['volume', 'ls', '--quiet', '--filter', projectFilter(project)];
}

export function removeVolumesArgs(names: string[]): string[] {
  return ['volume', 'rm', '--force', '--', ...names];
}

/** The CLI's plugins and where each binary is (no daemon call where the CLI can skip it). */
export function cliPluginsArgs(): string[] {
  return ['info', '--format', '{{json .ClientInfo.Plugins}}'];
}

/** The builder compose builds with (BUILDX_BUILDER, else the CLI's current one) and its driver. */
export function builderInspectArgs(): string[] {
  return ['buildx', 'inspect'];
}

/** The storage driver's status: names the containerd snapshotter where the engine stores images in containerd. */
export function storageStatusArgs(): string[] {
  return ['info', '--format', '{{json .DriverStatus}}'];
}

export function serverVersionArgs(): string[] {
  return ['version', '--format', '{{.Server.Version}}'];
}

/** The healthcheck's test as the engine runs it: CMD as an argument array, CMD-SHELL through the container's shell setting, as dockerd does. */
export function healthcheckCommand(test: string[], shell: string[] = ['/bin/sh', '-c']): string[] | undefined {
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return [...shell, test.slice(1).join(' ')];
  return undefined;
}
