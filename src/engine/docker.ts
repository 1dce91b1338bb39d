import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as args from './docker-args';
import { ComposeCommands, isUnknownCliCommand } from './compose-commands';
import { BuilderFacts, ComposeCalls, EngineCalls, LayerEvents } from './engine-calls';
import { ContainerFacts, envFromList, parseInspect } from './container-facts';
import { DOCKER_CLI_MISSING, DockerError, failure } from './docker-error';
import { CommandNotFoundError, ProcessRunner, RunResult, StreamingProcess } from './process-runner';
import { EngineEvent, parseEventLine } from './engine-events';
import { addressText, EngineApi, engineApiAddress, EngineUnreachableError } from './engine-api';
import { errorText } from '../compose/error-text';
import { mayHaveCredentials } from './docker-config';
import { anyOf } from './abort-signals';
import { pullErrorReason } from './pull-failure';

// The engine calls: containers, networks, volumes, logs, events, locks. The Engine API answers
// them where it reaches the engine directly (engine-api.ts), the CLI everywhere else; compose's
// calls are compose-commands.ts's. Calls are built by docker-args.ts; this only runs them and
// turns failures into messages a user can act on.

/** The image of lock containers (see createLockArgs): imported from an empty archive where missing. */
const LOCK_IMAGE = 'ephemeral-compose/lock:1';

/** `docker start` calls run at once for one batch of containers. */
const START_CALLS = 6;

/** The last bytes of a probe command's output kept (a health check's, a /proc/net/tcp read's). */
const EXEC_OUTPUT_BYTES = 4096;

/** How long post may take to print one container's last log lines. */
const PRINT_LOGS_MS = 120000;

/**
 * An API stream as the CLI's streaming process would be: `done` is 0 when the engine ended it and
 * 130 once it was ended here (`stop`, or `signal`), as for a process; it fails when the connection
 * drops.
 */
function apiStream(read: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): StreamingProcess {
  const own = new AbortController();
  const both = anyOf(signal, own.signal);
  const done = read(both).then(
    () => (both.aborted ? 130 : 0),
    (e: unknown) => {
      if (both.aborted) return 130;
      throw e;
    },
  );
  return { done, stop: () => own.abort() };
}

/** A log read through the API as the CLI's exit code: 0, or 1 when it failed. */
const exitCodeOf = (read: Promise<void>): Promise<number> =>
  read.then(
    () => 0,
    () => 1,
  );

/** The lines of a listing, trimmed, without empty ones. */
function nonEmptyLines(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
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
  return (
    all
      .slice(-lines)
      // A container with a terminal ends its lines with \r\n.
      .map((l) => l.replace(/^\S+Z /, '').replace(/\r$/, ''))
      .join('\n')
  );
}

/** Both: for code that asks compose and the engine. */
export type DockerClient = ComposeCalls & EngineCalls;

export class Docker extends ComposeCommands implements EngineCalls {
  /** The engine's API on its local socket, for per-container calls and listings; undefined when the engine is reached otherwise. */
  private readonly api?: EngineApi;

  /**
   * The backend is chosen here, once: the Engine API where engine-api.ts reaches the engine
   * directly (the local socket, a plain tcp:// host), else the CLI. `backend: 'cli'` forces the
   * CLI (the contract test runs every call on both).
   */
  constructor(runner: ProcessRunner, env: NodeJS.ProcessEnv = process.env, signal?: AbortSignal, backend: 'auto' | 'cli' = 'auto') {
    super(runner, env, signal);
    const address = backend === 'auto' ? engineApiAddress(env) : undefined;
    if (address) this.api = new EngineApi(address, signal);
  }

  private async docker(argv: string[], what: string, options: { maxBytes?: number; timeoutMs?: number } = {}): Promise<string> {
    let r: RunResult;
    try {
      r = await this.runner.run('docker', argv, { env: this.env, signal: this.signal, ...options });
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new DockerError(DOCKER_CLI_MISSING);
      throw e;
    }
    if (r.code !== 0) throw failure(what, r);
    return r.stdout;
  }

  /** Engine version, or a message that says which daemon did not answer. */
  async serverVersion(): Promise<string> {
    try {
      if (this.api) return await this.api.version(10000);
      return (await this.docker(args.serverVersionArgs(), 'docker version', { timeoutMs: 10000 })).trim();
    } catch (e) {
      const message = errorText(e);
      // The API's own message names the daemon already.
      if (e instanceof EngineUnreachableError && !this.signal?.aborted) throw new DockerError(message);
      // A cancel is not a daemon that did not answer, whichever backend saw it.
      if (!this.signal?.aborted && !/not found on PATH/.test(message)) {
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
    if (this.api) return addressText(this.api.address);
    return (await this.docker(args.contextEndpointArgs(), 'docker context inspect')).trim();
  }

  async hasImage(image: string): Promise<boolean> {
    if (this.api) return this.api.hasImage(image);
    const r = await this.runner.run('docker', args.imageInspectArgs(image), { env: this.env, maxBytes: 4096 });
    return r.code === 0;
  }

  /**
   * Pulls an image by its reference, as `docker pull` (the CLI's credentials where the CLI pulls),
   * each layer event to `progress`. Through the API the engine's byte counts come too; the CLI
   * prints none where its output is not a terminal.
   */
  async pullImage(image: string, progress: LayerEvents, signal?: AbortSignal): Promise<void> {
    if (this.api) return this.api.pull(image, (e) => progress.event(e), anyOf(this.signal, signal));
    const r = await this.runner.run('docker', args.pullArgs(image), {
      env: this.env,
      signal: anyOf(this.signal, signal),
      maxBytes: 1 << 20,
      onLine: (line) => progress.take(line),
    });
    if (r.code !== 0) throw new DockerError(pullErrorReason(r.stderr || r.stdout));
  }

  /**
   * Why the image's registry would not serve it to a pull without credentials (its manifest asked
   * through the engine), or undefined when it would, or where only the CLI reaches the engine.
   */
  async pullRefusal(image: string): Promise<string | undefined> {
    return this.api ? this.api.distributionRefusal(image) : undefined;
  }

  /** Pulls go through the Engine API here (and so tell their bytes); else through a process. */
  get pullsThroughApi(): boolean {
    return this.api !== undefined;
  }

  /** Whether the CLI's configuration may hold credentials for `registry` (see docker-config.ts). */
  mayHaveCredentials(registry: string): boolean {
    return mayHaveCredentials(this.env, registry);
  }

  async tagImage(source: string, target: string): Promise<void> {
    if (this.api) return this.api.tag(source, target);
    await this.docker(args.tagArgs(source, target), 'docker tag');
  }

  async untagImage(image: string): Promise<void> {
    if (this.api) return this.api.untag(image);
    await this.docker(args.untagArgs(image), 'docker image rm');
  }

  /**
   * The builder compose builds with, as buildx resolves it (BUILDX_BUILDER, the CLI's current
   * builder, the context); undefined where the CLI has no buildx plugin.
   */
  async builder(): Promise<BuilderFacts | undefined> {
    let r: RunResult;
    try {
      r = await this.runner.run('docker', args.builderInspectArgs(), { env: this.env, signal: this.signal, maxBytes: 1 << 20, timeoutMs: 30000 });
    } catch (e) {
      if (e instanceof CommandNotFoundError) throw new DockerError(DOCKER_CLI_MISSING);
      throw e;
    }
    if (r.code !== 0) {
      if (isUnknownCliCommand(r)) return undefined;
      throw failure('docker buildx inspect', r);
    }
    const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(r.stdout)?.[1] ?? '';
    const status = await this.docker(args.storageStatusArgs(), 'docker info', { timeoutMs: 10000 });
    return { name: field('Name'), driver: field('Driver'), containerdImageStore: status.includes('io.containerd.snapshotter') };
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
    if (this.api) {
      const kept = { stdout: [] as string[], stderr: [] as string[] };
      await this.api.logs(id, { tail: lines, follow: false, timestamps: true }, (line, stream) => {
        if (kept[stream].push(line) > lines) kept[stream].shift();
      });
      return mergeTimestampedLogs(kept.stdout.join('\n'), kept.stderr.join('\n'), lines);
    }
    const r = await this.runner.run('docker', args.logsArgs(id, lines, false, true), { env: this.env, maxBytes: 256 * 1024 });
    return mergeTimestampedLogs(r.stdout, r.stderr, lines);
  }

  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal): StreamingProcess {
    const api = this.api;
    if (api) return apiStream((s) => api.logs(id, { tail: 'all', follow: true, timestamps: false }, onLine, s), signal);
    return this.runner.stream('docker', args.logsArgs(id, 'all', true), { env: this.env, signal, onLine });
  }

  /** The whole log, with timestamps, line by line as it streams (never held whole); the exit code. */
  streamLogs(id: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<number> {
    if (this.api) return exitCodeOf(this.api.logs(id, { tail: 'all', follow: false, timestamps: true }, onLine, this.signal));
    return this.runner.stream('docker', args.logsArgs(id, 'all', false, true), { env: this.env, signal: this.signal, onLine }).done;
  }

  printLogs(id: string, lines: number): Promise<number> {
    if (this.api) {
      const print = (line: string, stream: 'stdout' | 'stderr') => (stream === 'stderr' ? process.stderr : process.stdout).write(`${line}\n`);
      return exitCodeOf(this.api.logs(id, { tail: lines, follow: false, timestamps: true }, print, anyOf(this.signal, AbortSignal.timeout(PRINT_LOGS_MS))));
    }
    return this.runner.passThrough('docker', args.logsArgs(id, lines, false, true), { env: this.env, signal: this.signal, timeoutMs: PRINT_LOGS_MS });
  }

  /** Runs a command in the container; its exit code, or -1 when it did not finish in time. */
  async exec(id: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }> {
    if (this.api) {
      const inTime = anyOf(signal, AbortSignal.timeout(timeoutMs));
      try {
        const r = await this.api.exec(id, command, EXEC_OUTPUT_BYTES, inTime);
        return { code: r.code, output: r.output.trim() };
      } catch (e) {
        if (signal.aborted) throw e;
        if (inTime.aborted) return { code: -1, output: `timed out after ${timeoutMs} ms` };
        // As the CLI ends when it cannot reach the engine.
        return { code: 1, output: errorText(e) };
      }
    }
    try {
      const r = await this.runner.run('docker', args.execArgs(id, command), { env: this.env, signal, timeoutMs, maxBytes: EXEC_OUTPUT_BYTES });
      return { code: r.code, output: (r.stdout + r.stderr).trim() };
    } catch (e) {
      if (signal.aborted) throw e;
      return { code: -1, output: `timed out after ${timeoutMs} ms` };
    }
  }

  watchEvents(project: string, sinceSeconds: number, onEvent: (e: EngineEvent) => void, signal: AbortSignal): StreamingProcess {
    const api = this.api;
    if (api) {
      const filters = { type: ['container'], label: [args.projectLabel(project)] };
      return apiStream(
        (s) =>
          api.events(
            filters,
            sinceSeconds.toFixed(3),
            (line) => {
              const ev = parseEventLine(line);
              if (ev) onEvent(ev);
            },
            s,
          ),
        signal,
      );
    }
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
    if (this.api) return this.api.removeNetworks(ids);
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
    if (this.api) return this.api.createContainer(name, LOCK_IMAGE, [args.LOCK_COMMAND], labels);
    const r = await this.runner.run('docker', args.createLockArgs(name, LOCK_IMAGE, labels), { env: this.env, signal: this.signal, maxBytes: 64 * 1024 });
    if (r.code === 0) return true;
    if (/Conflict|already in use/i.test(r.stderr)) return false;
    throw failure('Creating the lock container', r);
  }

  /** The container of that name (its id, so a removal cannot hit one created since), or undefined. */
  async containerIdAndLabels(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    if (this.api) return this.api.containerIdAndLabels(name);
    const r = await this.runner.run('docker', args.containerIdAndLabelsArgs(name), { env: this.env, signal: this.signal, maxBytes: 256 * 1024 });
    if (r.code !== 0) {
      if (/No such (container|object)/i.test(r.stderr)) return undefined;
      throw failure('docker container inspect', r);
    }
    const text = r.stdout.trim();
    const space = text.indexOf(' ');
    return { id: text.slice(0, space), labels: (JSON.parse(text.slice(space + 1) || 'null') as Record<string, string> | null) ?? {} };
  }

  async removeVolumes(names: string[]): Promise<void> {
    if (this.api) return this.api.removeVolumes(names);
    if (names.length > 0) await this.docker(args.removeVolumesArgs(names), 'docker volume rm');
  }
}
