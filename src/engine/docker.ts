import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as args from './docker-args';
import { ComposeProject, CreateOptions } from './docker-args';
import { cliFromCommand, cliName, ComposeCli, DOCKER_COMPOSE, pluginBinary, STANDALONE_COMPOSE } from '../compose/compose-cli';
import { composeMissing, judgeComposeVersion } from '../compose/compose-version';
import { ContainerFacts, envFromList, parseInspect } from './container-facts';
import { CommandNotFoundError, ProcessRunner, RunOptions, RunResult, StreamingProcess } from './process-runner';
import { EngineEvent, parseEventLine } from './engine-events';
import { EngineApi, localEngineSocket } from './engine-api';

// The one module that runs docker and compose. Calls are built by docker-args.ts; this file only
// executes them and turns failures into messages a user can act on.

export class DockerError extends Error {}

/** The image of lock containers (see createLockArgs): imported from an empty archive where missing. */
const LOCK_IMAGE = 'ephemeral-compose/lock:1';

/** `docker start` calls run at once for one batch of containers. */
const START_CALLS = 6;

/** The lines of a listing, trimmed, without empty ones. */
function nonEmptyLines(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

function failure(what: string, r: RunResult): DockerError {
  const detail = lastLines(r.stderr || r.stdout, 15);
  return new DockerError(`${what} failed (exit code ${r.code})${detail ? `:\n${detail}` : '.'}`);
}

/** The CLI has no compose plugin. */
export function isUnknownComposeCommand(r: RunResult): boolean {
  return r.code !== 0 && /unknown command|is not a docker command/i.test(r.stderr);
}

/**
 * `docker logs` splits a container's stdout and stderr; with --timestamps both can be put back in
 * the order they were written. The timestamps are then dropped.
 */
export function mergeTimestampedLogs(stdout: string, stderr: string, lines: number): string {
  const key = (line: string) => {
    const m = /^(\S+?)(?:\.(\d+))?Z /.exec(line);
    return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : '';
  };
  const all = [...stdout.split('\n'), ...stderr.split('\n')].filter((l) => l !== '');
  all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return all
    .slice(-lines)
    .map((l) => l.replace(/^\S+Z /, ''))
    .join('\n');
}

/** The public face of Docker, for code that takes one (and for fakes in unit tests). */
export type DockerClient = { [K in keyof Docker]: Docker[K] };

export class Docker {
  /** The engine's API on its local socket, for per-container calls and listings; undefined when the engine is reached otherwise. */
  private readonly api?: EngineApi;

  /**
   * The backend is chosen here, once: the Engine API where the engine is a local socket, else the
   * CLI. `backend: 'cli'` forces the CLI (the contract test runs every call on both).
   */
  constructor(
    private readonly runner: ProcessRunner,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly signal?: AbortSignal,
    backend: 'auto' | 'cli' = 'auto',
  ) {
    const socket = backend === 'auto' ? localEngineSocket(env) : undefined;
    if (socket) this.api = new EngineApi(socket, signal);
  }

  private composeOptions(project: ComposeProject, onLine?: (line: string) => void): RunOptions {
    return { cwd: project.workingDirectory, env: this.env, signal: this.signal, maxBytes: 64 << 20, onLine };
  }

  private async docker(argv: string[], what: string, options: { maxBytes?: number; timeoutMs?: number } = {}): Promise<string> {
    let r: RunResult;
    try {
      r = await this.runner.run('docker', argv, { env: this.env, signal: this.signal, ...options });
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new DockerError('The Docker CLI (docker) was not found on PATH: install Docker on this runner.');
      throw e;
    }
    if (r.code !== 0) throw failure(what, r);
    return r.stdout;
  }

  private async compose(cli: ComposeCli, project: ComposeProject, argv: string[], what: string, onLine?: (line: string) => void): Promise<RunResult> {
    try {
      return await this.runner.run(cli.command, [...cli.baseArgs, ...argv], this.composeOptions(project, onLine));
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new DockerError(`${what}: ${e.message}`);
      throw e;
    }
  }

  /** Engine version, or a message that says which daemon did not answer. */
  async serverVersion(): Promise<string> {
    try {
      if (this.api) return await this.api.version(10000);
      return (await this.docker(args.serverVersionArgs(), 'docker version', { timeoutMs: 10000 })).trim();
    } catch (e) {
      const message = (e as Error).message;
      if (!/not found on PATH|was cancelled|operation was aborted/.test(message)) {
        const host = this.env.DOCKER_HOST || (this.env.DOCKER_CONTEXT ? `of context ${this.env.DOCKER_CONTEXT}` : 'unix:///var/run/docker.sock (default)');
        const ssh = /Host key verification failed|Permission denied \(publickey/.exec(message);
        const why = ssh ? ` ssh said '${ssh[0]}': add the host to known_hosts, or give the runner a key the host accepts.` : '';
        throw new DockerError(`The Docker daemon at ${host} did not answer.${why} ${message}`);
      }
      throw e;
    }
  }

  /**
   * The engine's address as the CLI resolves it: DOCKER_HOST, else the endpoint of DOCKER_CONTEXT
   * or the current context, else the local socket.
   */
  async endpoint(): Promise<string> {
    if (this.env.DOCKER_HOST) return this.env.DOCKER_HOST;
    if (this.api) return `unix://${this.api.socket}`;
    return (await this.docker(args.contextEndpointArgs(), 'docker context inspect')).trim();
  }

  /**
   * The compose to drive: `explicit` (input `compose-command`), else the CLI's plugin, else a v2
   * binary under v1's old name. Fails with the message a user acts on when what is there is the
   * end-of-life Python one, too old, or nothing.
   */
  async findCompose(explicit: string[] | undefined, cwd: string): Promise<{ cli: ComposeCli; version: string }> {
    const candidates = explicit ? [cliFromCommand(explicit)] : [DOCKER_COMPOSE, STANDALONE_COMPOSE];
    const plugin = explicit ? undefined : this.composePluginPath();
    const tried: string[] = [];
    for (const cli of candidates) {
      const name = cliName(cli);
      let r: RunResult;
      try {
        r = await this.runner.run(cli.command, [...cli.baseArgs, ...args.composeVersionArgs()], { cwd, env: this.env, signal: this.signal, maxBytes: 64 * 1024 });
      } catch (e) {
        if (!(e instanceof CommandNotFoundError)) throw e;
        if (explicit) throw new DockerError(`Input 'compose-command' is '${name}', but '${cli.command}' was not found on PATH.`);
        tried.push(`${name}: not found`);
        continue;
      }
      if (!explicit && isUnknownComposeCommand(r)) {
        tried.push(`${name}: not installed`);
        continue;
      }
      if (r.code !== 0) throw failure(`'${name} version'`, r);
      const verdict = judgeComposeVersion(name, r.stdout);
      if ('refusal' in verdict) throw new DockerError(verdict.refusal);
      const binary = cli === DOCKER_COMPOSE ? await plugin : undefined;
      return { cli: binary ? pluginBinary(binary) : cli, version: verdict.version.text };
    }
    throw new DockerError(composeMissing(tried));
  }

  /**
   * Where the CLI's compose plugin binary is, as the CLI itself finds it (its plugin folders, the
   * config's extra ones); undefined where it cannot say, and then compose is called through the CLI.
   */
  private async composePluginPath(): Promise<string | undefined> {
    try {
      const r = await this.runner.run('docker', args.cliPluginsArgs(), { env: this.env, signal: this.signal, maxBytes: 1 << 20, timeoutMs: 10000 });
      if (r.code !== 0) return undefined;
      const plugins = JSON.parse(r.stdout) as { Name?: unknown; Path?: unknown; Err?: unknown }[] | null;
      const compose = (plugins ?? []).find((p) => p.Name === 'compose' && !p.Err);
      return typeof compose?.Path === 'string' && path.isAbsolute(compose.Path) ? compose.Path : undefined;
    } catch {
      return undefined;
    }
  }

  /** Compose's resolved configuration of the project, as YAML. */
  async config(cli: ComposeCli, project: ComposeProject, services: string[] = []): Promise<string> {
    const r = await this.compose(cli, project, args.composeConfigArgs(project, services), 'compose config');
    if (r.code !== 0) throw failure(`Reading the compose configuration with '${cliName(cli)}'`, r);
    return r.stdout;
  }

  /**
   * The environment compose interpolates the project with: the job's, .env's and the env files'.
   * Where compose cannot print it (before 2.30), undefined.
   */
  async composeEnvironment(cli: ComposeCli, project: ComposeProject): Promise<Record<string, string> | undefined> {
    const r = await this.compose(cli, project, args.composeEnvironmentArgs(project), 'compose config --environment');
    return r.code === 0 ? envFromList(r.stdout.split('\n')) : undefined;
  }

  /** Every service the project's files define, whatever its profiles (empty if compose cannot say). */
  async composeAllServices(cli: ComposeCli, project: ComposeProject): Promise<string[]> {
    const r = await this.compose(cli, project, args.composeAllServicesArgs(project), 'compose config --services');
    return r.code === 0
      ? r.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean)
          .sort()
      : [];
  }

  /** The name compose would give the project without the action's (undefined if it cannot say). */
  async composeOwnName(cli: ComposeCli, project: ComposeProject): Promise<string | undefined> {
    const r = await this.compose(cli, project, args.composeOwnNameArgs(project), 'compose config');
    if (r.code !== 0) return undefined;
    try {
      const name = (JSON.parse(r.stdout) as { name?: unknown }).name;
      return typeof name === 'string' ? name : undefined;
    } catch {
      return undefined;
    }
  }

  /** `progress` sees compose's output as it comes: pulls and builds can take minutes. */
  async create(cli: ComposeCli, project: ComposeProject, options: CreateOptions, progress?: (line: string) => void): Promise<void> {
    const r = await this.compose(cli, project, args.composeCreateArgs(project, options), 'compose up --no-start', progress);
    if (r.code !== 0) throw failure('Creating the stack (compose up --no-start)', r);
  }

  async composeStart(cli: ComposeCli, project: ComposeProject, services: string[]): Promise<void> {
    const r = await this.compose(cli, project, args.composeStartArgs(project, services), 'compose up (start)');
    if (r.code !== 0) throw failure(`Starting ${services.join(', ')}`, r);
  }

  /**
   * Runs `service` in the foreground (`compose run`) and gives its exit code; each line of its
   * output goes to `onLine` as it comes. `timeoutMs` ends it (the run's container is the post step's
   * to remove, with the rest of the project).
   */
  async composeRun(cli: ComposeCli, project: ComposeProject, service: string, command: string[], onLine: (line: string) => void, timeoutMs?: number): Promise<number> {
    const r = await this.runner.run(cli.command, [...cli.baseArgs, ...args.composeRunArgs(project, service, command)], {
      ...this.composeOptions(project, onLine),
      maxBytes: 1 << 20,
      timeoutMs,
    });
    return r.code;
  }

  async down(cli: ComposeCli, project: ComposeProject, stopTimeoutSeconds: number, downFlags: string[]): Promise<void> {
    const r = await this.compose(cli, project, args.composeDownArgs(project, stopTimeoutSeconds, downFlags), 'compose down');
    if (r.code !== 0) throw failure('compose down', r);
  }

  async hasImage(image: string): Promise<boolean> {
    const r = await this.runner.run('docker', args.imageInspectArgs(image), { env: this.env, maxBytes: 4096 });
    return r.code === 0;
  }

  /** Environment variables the images set themselves; an image not on the engine yet gives none. */
  async imageEnvironments(images: string[]): Promise<Record<string, string>[]> {
    if (images.length === 0) return [];
    if (this.api) return (await this.api.imageEnvironments(images)).map(envFromList);
    const r = await this.runner.run('docker', args.imageEnvArgs(images), { env: this.env, signal: this.signal, maxBytes: 16 << 20 });
    return r.stdout
      .split('\n')
      .filter((l) => l.startsWith('['))
      .map((l) => envFromList(JSON.parse(l) as string[]));
  }

  /** Names of the containers, networks and volumes that carry the project's label (and `alsoLabel`, when given). */
  async projectResources(project: string, alsoLabel?: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    const labels = [args.projectLabel(project), ...(alsoLabel ? [alsoLabel] : [])];
    if (this.api) {
      const found = await this.api.labelled(labels);
      return { containers: found.containers.map((c) => c.name), networks: found.networks.map((n) => n.name), volumes: found.volumes };
    }
    const [containers, networks, volumes] = await Promise.all([
      this.docker(args.listContainerNamesArgs(labels), 'docker ps'),
      this.docker(args.listNetworkNamesArgs(labels), 'docker network ls'),
      this.docker(args.listVolumeNamesArgs(labels), 'docker volume ls'),
    ]);
    return { containers: nonEmptyLines(containers), networks: nonEmptyLines(networks), volumes: nonEmptyLines(volumes) };
  }

  async containerIds(project: string): Promise<string[]> {
    if (this.api) return (await this.api.containers(args.projectLabel(project))).map((c) => c.id);
    return nonEmptyLines(await this.docker(args.listContainersArgs(project), 'docker ps'));
  }

  async inspect(ids: string[]): Promise<ContainerFacts[]> {
    if (ids.length === 0) return [];
    if (this.api) return (await this.api.inspect(ids)).map(parseInspect);
    const out = await this.docker(args.inspectArgs(ids), 'docker inspect', { maxBytes: 64 << 20 });
    return (JSON.parse(out) as Record<string, unknown>[]).map(parseInspect);
  }

  /**
   * `docker start a b c` starts one container after another; the daemon can start several at
   * once. The ids are dealt into a few calls that run together.
   */
  async start(ids: string[]): Promise<void> {
    if (this.api) return this.api.start(ids);
    await Promise.all(args.startGroups(ids, START_CALLS).map((group) => this.docker(args.startArgs(group), 'docker start')));
  }

  async tailLogs(id: string, lines: number): Promise<string> {
    const r = await this.runner.run('docker', args.logsArgs(id, lines, false, true), { env: this.env, maxBytes: 256 * 1024 });
    return mergeTimestampedLogs(r.stdout, r.stderr, lines);
  }

  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal): StreamingProcess {
    return this.runner.stream('docker', args.logsArgs(id, 'all', true), { env: this.env, signal, onLine });
  }

  /** The whole log, with timestamps, line by line as it streams (never held whole); the exit code. */
  streamLogs(id: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<number> {
    return this.runner.stream('docker', args.logsArgs(id, 'all', false, true), { env: this.env, signal: this.signal, onLine }).done;
  }

  printLogs(id: string, lines: number): Promise<number> {
    return this.runner.passThrough('docker', args.logsArgs(id, lines, false, true), { env: this.env, signal: this.signal, timeoutMs: 120000 });
  }

  /** Runs a command in the container; its exit code, or -1 when it did not finish in time. */
  async exec(id: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }> {
    try {
      const r = await this.runner.run('docker', args.execArgs(id, command), { env: this.env, signal, timeoutMs, maxBytes: 4096 });
      return { code: r.code, output: (r.stdout + r.stderr).trim() };
    } catch (e) {
      if (signal.aborted) throw e;
      return { code: -1, output: `timed out after ${timeoutMs} ms` };
    }
  }

  watchEvents(project: string, sinceSeconds: number, onEvent: (e: EngineEvent) => void, signal: AbortSignal): StreamingProcess {
    return this.runner.stream('docker', args.eventsArgs(project, sinceSeconds), {
      env: this.env,
      signal,
      onLine: (line, stream) => {
        if (stream !== 'stdout') return;
        const ev = parseEventLine(line);
        if (ev) onEvent(ev);
      },
    });
  }

  async stop(ids: string[], stopTimeoutSeconds: number): Promise<void> {
    if (this.api) return this.api.stop(ids, stopTimeoutSeconds);
    if (ids.length > 0) await this.docker(args.stopArgs(ids, stopTimeoutSeconds), 'docker stop', { timeoutMs: (stopTimeoutSeconds + 60) * 1000 });
  }

  async removeContainers(ids: string[]): Promise<void> {
    if (this.api) return this.api.remove(ids);
    if (ids.length > 0) await this.docker(args.removeContainersArgs(ids), 'docker rm');
  }

  async networkIds(project: string): Promise<string[]> {
    if (this.api) return (await this.api.networks(args.projectLabel(project))).map((n) => n.id);
    return nonEmptyLines(await this.docker(args.listNetworksArgs(project), 'docker network ls'));
  }

  async networkConnect(network: string, container: string): Promise<void> {
    await this.docker(args.networkConnectArgs(network, container), 'docker network connect');
  }

  async networkDisconnect(network: string, container: string): Promise<void> {
    await this.docker(args.networkDisconnectArgs(network, container), 'docker network disconnect');
  }

  async removeNetworks(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.docker(args.removeNetworksArgs(ids), 'docker network rm');
  }

  async volumeNames(project: string): Promise<string[]> {
    if (this.api) return this.api.volumes(args.projectLabel(project));
    return nonEmptyLines(await this.docker(args.listVolumesArgs(project), 'docker volume ls'));
  }

  /** Volumes that carry a label, with all their labels. */
  async labelledVolumes(label: string): Promise<{ name: string; labels: Record<string, string> }[]> {
    if (this.api) return this.api.volumesWithLabels(label);
    const names = nonEmptyLines(await this.docker(args.listVolumeNamesArgs([label]), 'docker volume ls'));
    if (names.length === 0) return [];
    const lines = nonEmptyLines(await this.docker(args.volumeLabelsArgs(names), 'docker volume inspect'));
    return names.map((name, i) => ({ name, labels: (JSON.parse(lines[i] ?? 'null') as Record<string, string> | null) ?? {} }));
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    if (this.api) return this.api.createVolume(name, labels);
    await this.docker(args.createVolumeArgs(name, labels), 'docker volume create');
  }

  /** Creates the lock container; false when one of that name exists (someone else holds the lock). */
  async createLock(name: string, labels: Record<string, string>): Promise<boolean> {
    if (!(await this.hasImage(LOCK_IMAGE))) {
      // An empty tar archive is 1024 zero bytes; the CLI uploads it, to a remote engine too.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-lock-'));
      try {
        fs.writeFileSync(path.join(dir, 'empty.tar'), Buffer.alloc(1024));
        await this.docker(args.importEmptyImageArgs(path.join(dir, 'empty.tar'), LOCK_IMAGE), 'docker image import');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const r = await this.runner.run('docker', args.createLockArgs(name, LOCK_IMAGE, labels), { env: this.env, signal: this.signal, maxBytes: 64 * 1024 });
    if (r.code === 0) return true;
    if (/Conflict|already in use/i.test(r.stderr)) return false;
    throw failure('Creating the lock container', r);
  }

  /** A container's labels, or undefined when there is no such container. */
  /** The container of that name (its id, so a removal cannot hit one created since), or undefined. */
  async containerIdAndLabels(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    const r = await this.runner.run('docker', args.containerIdAndLabelsArgs(name), { env: this.env, signal: this.signal, maxBytes: 256 * 1024 });
    if (r.code !== 0) {
      if (/No such (container|object)/i.test(r.stderr)) return undefined;
      throw failure('docker container inspect', r);
    }
    const text = r.stdout.trim();
    const space = text.indexOf(' ');
    return { id: text.slice(0, space), labels: (JSON.parse(text.slice(space + 1) || 'null') as Record<string, string> | null) ?? {} };
  }

  async containerLabels(name: string): Promise<Record<string, string> | undefined> {
    const r = await this.runner.run('docker', args.containerLabelsArgs(name), { env: this.env, signal: this.signal, maxBytes: 256 * 1024 });
    if (r.code !== 0) {
      if (/No such (container|object)/i.test(r.stderr)) return undefined;
      throw failure('docker container inspect', r);
    }
    return (JSON.parse(r.stdout.trim() || 'null') as Record<string, string> | null) ?? {};
  }

  async removeVolumes(names: string[]): Promise<void> {
    if (names.length > 0) await this.docker(args.removeVolumesArgs(names), 'docker volume rm');
  }
}
