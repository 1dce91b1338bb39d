import { execFileSync } from 'child_process';
import * as http from 'http';
import * as path from 'path';

// Helpers for the real-engine tests: run the action through the runner-faithful harness and check
// that nothing labelled with the project is left on the engine.

import * as harness from '../../harness/run-action';
import { dockerFor } from '../../src/action/dependencies';
import { HarnessOptions, HarnessResult } from '../../harness/run-action';

export type { HarnessOptions, HarnessResult, StepResult } from '../../harness/run-action';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');

/** The preview action's folder: `runAction({ actionDir: PREVIEW_ACTION, inputs: { command: 'deploy', ... } })`. */
export const PREVIEW_ACTION = path.resolve(__dirname, '..', '..', 'preview');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The `--filter` value that selects everything compose made for a project. */
export const projectFilter = (project: string): string => `label=com.docker.compose.project=${project}`;

/** The API's `filters` query for what carries the project's label (and any other labels given). */
const labelQuery = (project: string, ...more: string[]) => `filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`, ...more] }))}`;

/** Ids of the project's containers (of one service, if given), running or not. */
export function containerIds(project: string, service?: string, all = true): string[] {
  if (engineUrl()) {
    const q = labelQuery(project, ...(service ? [`com.docker.compose.service=${service}`] : []));
    const [list] = engineCalls('GET', [`/containers/json?all=${all ? 1 : 0}&${q}`]);
    return (JSON.parse(list) as { Id: string }[]).map((c) => c.Id.slice(0, 12));
  }
  const filters = ['--filter', projectFilter(project), ...(service ? ['--filter', `label=com.docker.compose.service=${service}`] : [])];
  return docker('ps', ...(all ? ['-a'] : []), '-q', ...filters)
    .split('\n')
    .filter(Boolean);
}

/** The main step failed with one message (no stack trace) holding every fragment; returns it. */
export function expectFailure(result: HarnessResult, says: (string | RegExp)[]): string {
  expect(result.main.outcome).toBe('failure');
  const message = result.main.errors.join('\n');
  for (const fragment of says) {
    if (typeof fragment === 'string') expect(message).toContain(fragment);
    else expect(message).toMatch(fragment);
  }
  expect(message).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
  return message;
}

/**
 * Main failed because of one service, judged on what the outputs say rather than the message's
 * wording: one error annotation; the service's state is `failed` (with the exit code that decided
 * it, where one did); the services listed were never started; and the message carries the lines of
 * the service's own log given in `logs`. Returns the message.
 */
export function expectServiceFailed(result: HarnessResult, service: string, o: { exitCode?: number | null; notStarted?: string[]; logs?: string[] } = {}): string {
  expect(result.main.outcome).toBe('failure');
  expect(result.main.errors).toHaveLength(1);
  const services = servicesOutput(result);
  expect(services[service]?.state).toBe('failed');
  if (o.exitCode !== undefined) expect(services[service].exitCode).toBe(o.exitCode);
  for (const other of o.notStarted ?? []) expect(services[other]?.state).toBe('not-started');
  const message = result.main.errors[0];
  for (const line of o.logs ?? []) expect(message).toContain(line);
  return message;
}

/** Main was ended by SIGINT alone, post cleaned up without a warning, and nothing is left. */
export function expectCancelledAndClean(result: HarnessResult, name: string): void {
  expect(result.main.outcome).toBe('cancelled');
  // SIGINT alone ended it: the runner's SIGTERM (7.5 s later) was not needed.
  expect(result.main.signal).toBeNull();
  expect(result.main.output).toContain('Received SIGINT');
  expect(result.post?.exitCode).toBe(0);
  expect(result.post?.warnings).toEqual([]);
  expect(leftovers(name)).toEqual([]);
}

let counter = 0;
/** A project name per test, so a leak is traced to the test that caused it. */
export function projectName(tag: string): string {
  counter += 1;
  return `ect-${tag}-${process.pid}-${counter}`.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/**
 * Runs the action through the harness. After every main that succeeded, the differential oracle:
 * each container's config hash must equal what `docker compose config --hash` prints for the same
 * folder, inputs and name, i.e. the action ran the project `docker compose up` would have run.
 */
export async function runAction(options: HarnessOptions): Promise<HarnessResult> {
  let differences: string[] = [];
  const result = await harness.runAction({
    ...options,
    between: async (ctx) => {
      differences = await composeOracle(options, ctx.outputs['project-name']);
      await options.between?.(ctx);
    },
  });
  if (differences.length > 0) throw new Error(`The action ran a project other than compose's: ${differences.join('; ')}`);
  return result;
}

/**
 * Where compose reads the project differently from the action's run, one line per container. Runs
 * that change the configuration on purpose (ports: ephemeral, previews' labels, another compose
 * program) are the README's listed differences, not compared.
 */
export async function composeOracle(options: HarnessOptions, name: string): Promise<string[]> {
  const inputs = options.inputs ?? {};
  if (inputs.command || inputs.ports === 'ephemeral' || inputs['compose-command']) return [];
  const lines = (text = '') =>
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const list = (text = '') =>
    text
      .split(/[\s,]+/)
      .map((l) => l.trim())
      .filter(Boolean);
  const flags = [
    '--project-name',
    name,
    ...lines(inputs['compose-file']).flatMap((f) => ['--file', f]),
    ...lines(inputs['env-file']).flatMap((f) => ['--env-file', f]),
    ...list(inputs.profiles).flatMap((p) => ['--profile', p]),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, ...(inputs['docker-host'] ? { DOCKER_HOST: inputs['docker-host'] } : {}) };
  // What an earlier use of the action exported for later steps is not this use's setting (README).
  for (const n of (env.EPHEMERAL_COMPOSE_EXPORTED ?? '').split(' ')) if (n.startsWith('COMPOSE_')) delete env[n];
  const cwd = path.resolve(options.workspace ?? process.cwd(), inputs['working-directory'] || '.');
  const [command, ...composeArgs] = await composeCommand(env, cwd);
  const hashes = (extra: string[]) => {
    const out: Record<string, string> = {};
    const text = execFileSync(command, [...composeArgs, ...flags, ...extra, 'config', '--hash', '*'], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    for (const [service, hash] of lines(text).map((l) => l.split(/\s+/))) out[service] = hash;
    return out;
  };
  // A hook's runner container is not one of the service's.
  const rows = projectContainerLabels(name, env).filter(([, , container, hook]) => !hook && container);
  let expected = hashes([]);
  // Services behind a profile that the `services` input named are enabled as `compose up <it>` does:
  // asked about only where such a container is there.
  if (rows.some(([service]) => !(service in expected))) expected = { ...hashes(['--profile', '*']), ...expected };
  return rows
    .filter(([service, hash]) => expected[service] !== hash)
    .map(([service, hash, container]) => `${container}: config-hash ${hash.slice(0, 12)}, compose says ${expected[service]?.slice(0, 12) ?? `no service '${service}'`}`);
}

/** Each of the project's service containers (not one-offs): service, config hash, name, hook label. */
function projectContainerLabels(project: string, env: NodeJS.ProcessEnv): string[][] {
  const url = env.DOCKER_CONTEXT ? undefined : engineUrl(env.DOCKER_HOST);
  if (url) {
    const [list] = engineCalls('GET', [`/containers/json?all=1&${labelQuery(project, 'com.docker.compose.oneoff=False')}`], env.DOCKER_HOST);
    return (JSON.parse(list) as { Names: string[]; Labels: Record<string, string> }[]).map((c) => [
      c.Labels['com.docker.compose.service'] ?? '',
      c.Labels['com.docker.compose.config-hash'] ?? '',
      (c.Names[0] ?? '').replace(/^\//, ''),
      c.Labels['com.docker.compose.hook'] ?? '',
    ]);
  }
  const format = '{{.Label "com.docker.compose.service"}}|{{.Label "com.docker.compose.config-hash"}}|{{.Names}}|{{.Label "com.docker.compose.hook"}}';
  return execFileSync('docker', ['ps', '-a', '--filter', projectFilter(project), '--filter', 'label=com.docker.compose.oneoff=False', '--format', format], {
    env,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split('|'));
}

/**
 * The compose the oracle calls: the one the action finds (findCompose: the CLI's plugin as its
 * binary, so no `docker compose` plugin lookup on each call). Asked once per configuration folder.
 */
const composes = new Map<string, Promise<string[]>>();
function composeCommand(env: NodeJS.ProcessEnv, cwd: string): Promise<string[]> {
  const key = env.DOCKER_CONFIG ?? '';
  let found = composes.get(key);
  if (!found) {
    found = dockerFor(env, new AbortController().signal)
      .findCompose(undefined, cwd)
      .then(({ cli }) => [cli.command, ...cli.baseArgs]);
    composes.set(key, found);
  }
  return found;
}

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/**
 * The engine's API as curl reaches it, for the checks every test makes: a `docker` process costs
 * the suite far more CPU than the call itself, and the suite is CPU-bound. Undefined where the
 * engine is named another way (a context): then the CLI.
 */
function engineUrl(dockerHost = process.env.DOCKER_HOST): { curl: string[]; base: string } | undefined {
  const host = dockerHost || (process.env.DOCKER_CONTEXT ? '' : 'unix:///var/run/docker.sock');
  if (host.startsWith('unix://')) return { curl: ['--unix-socket', host.slice('unix://'.length)], base: 'http://engine' };
  if (host.startsWith('tcp://')) return { curl: [], base: `http://${host.slice('tcp://'.length)}` };
  return undefined;
}

/** One or more API calls of one method in one curl process; the bodies, in order. */
function engineCalls(method: string, paths: string[], dockerHost?: string): string[] {
  const url = engineUrl(dockerHost);
  if (!url) throw new Error('no API URL');
  const marker = '\n--ect-end--\n';
  const out = execFileSync('curl', ['-sS', '--fail', '-X', method, ...url.curl, ...paths.flatMap((p) => ['-w', marker, `${url.base}${p}`])], { encoding: 'utf8' });
  return out.split(marker).slice(0, paths.length);
}

/** Short container and network ids (as `docker ps -q` prints them) and volume names with the project's label. */
function projectObjects(project: string, dockerHost?: string): { containers: string[]; networks: string[]; volumes: string[] } {
  if (!engineUrl(dockerHost)) {
    const filter = projectFilter(project);
    const list = (...a: string[]) =>
      docker(...a, '--filter', filter)
        .split('\n')
        .filter(Boolean);
    return { containers: list('ps', '-aq'), networks: list('network', 'ls', '-q'), volumes: list('volume', 'ls', '-q') };
  }
  const q = labelQuery(project);
  const [c, n, v] = engineCalls('GET', [`/containers/json?all=1&${q}`, `/networks?${q}`, `/volumes?${q}`], dockerHost);
  return {
    containers: (JSON.parse(c) as { Id: string }[]).map((x) => x.Id.slice(0, 12)),
    networks: (JSON.parse(n) as { Id: string }[]).map((x) => x.Id.slice(0, 12)),
    volumes: ((JSON.parse(v) as { Volumes: { Name: string }[] | null }).Volumes ?? []).map((x) => x.Name),
  };
}

/**
 * Everything the engine (this process's, or the one at `dockerHost`) still holds with the project's
 * label: containers, networks, volumes.
 */
export function leftovers(project: string, dockerHost?: string): string[] {
  const o = projectObjects(project, dockerHost);
  return [...o.containers, ...o.networks, ...o.volumes];
}

/** Removes everything with the project's label, on this process's engine or the one at `dockerHost`. */
export function removeProject(project: string, dockerHost?: string): void {
  const o = projectObjects(project, dockerHost);
  if (!engineUrl(dockerHost)) {
    if (o.containers.length) docker('rm', '-f', '-v', ...o.containers);
    if (o.networks.length) docker('network', 'rm', ...o.networks);
    if (o.volumes.length) docker('volume', 'rm', '-f', ...o.volumes);
    return;
  }
  if (o.containers.length)
    engineCalls(
      'DELETE',
      o.containers.map((id) => `/containers/${id}?force=1&v=1`),
      dockerHost,
    );
  if (o.networks.length)
    engineCalls(
      'DELETE',
      o.networks.map((id) => `/networks/${id}`),
      dockerHost,
    );
  if (o.volumes.length)
    engineCalls(
      'DELETE',
      o.volumes.map((name) => `/volumes/${encodeURIComponent(name)}?force=1`),
      dockerHost,
    );
}

export type ServicesOutput = Record<
  string,
  {
    state: string;
    readySeconds: number | null;
    readyAt: string | null;
    ports: { target: number; published: number; protocol?: string; url?: string }[];
    url: string | null;
    containers: string[];
    detail?: string;
    health: string | null;
    readiness: string | null;
    exitCode: number | null;
  }
>;

/** The `urls` output: service name to URL. */
export function urlsOutput(outputs: Record<string, string>): Record<string, string> {
  return JSON.parse(outputs.urls ?? '{}') as Record<string, string>;
}

export function servicesOutput(result: HarnessResult): ServicesOutput {
  return JSON.parse(result.main.outputs.services ?? '{}') as ServicesOutput;
}

/**
 * A project-name maker for one test file; every project it named is removed after each test.
 * Tests check for leaks themselves; this only keeps one failure from spilling into the next.
 */
export function projectsRemovedAfterEach(): (tag: string) => string {
  const names: string[] = [];
  afterEach(() => {
    for (const p of names.splice(0)) removeProject(p);
  });
  return (tag) => {
    const name = projectName(tag);
    names.push(name);
    return name;
  };
}

/** A later step's plain HTTP GET: status and body. */
export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The container of a service, by compose's labels (v1 and v2 name containers differently). */
export function containerOf(project: string, service: string): string {
  const ids = containerIds(project, service);
  if (ids.length !== 1) throw new Error(`expected one container of ${service} in ${project}, found ${ids.length}`);
  return ids[0];
}

/**
 * Another project under a test's project name, made outside the action, so a test can show the
 * action neither adopts nor removes what it did not create.
 */
export interface Foreign {
  container: string;
  volume: string;
}

export function foreignProject(name: string): Foreign {
  const label = ['--label', `com.docker.compose.project=${name}`];
  const volume = docker('volume', 'create', ...label, `${name}_data`);
  const container = docker('run', '-d', ...label, '--label', 'com.docker.compose.service=keeper', '-v', `${volume}:/data`, 'ephemeral-compose-test/busybox', 'sleep', '600');
  // Short, as `docker ps -q` (and so `leftovers`) lists containers.
  return { container: container.slice(0, 12), volume };
}

export function expectIntact(name: string, f: Foreign): void {
  expect(docker('inspect', '--format', '{{.State.Running}}', f.container)).toBe('true');
  expect(docker('volume', 'inspect', '--format', '{{.Name}}', f.volume)).toBe(f.volume);
  // Nothing of this run's is left beside it either.
  expect(leftovers(name).sort()).toEqual([f.container, f.volume].sort());
}
