import * as path from 'path';
import { MainDependencies } from '../../src/action/main';
import { ActionRuntime } from '../../src/action/runtime';
import { parseResolvedConfig } from '../../src/compose/compose-model';
import { cliFromCommand, ComposeCli, DOCKER_COMPOSE, PullPolicy } from '../../src/compose/compose-cli';
import { ContainerFacts, parseInspect } from '../../src/engine/container-facts';
import { BuilderFacts, ComposeCalls, EngineCalls, LayerEvents } from '../../src/engine/engine-calls';
import { ComposeProject } from '../../src/compose/compose-project';
import { CreateOptions } from '../../src/engine/docker-args';
import { EngineEvent } from '../../src/engine/engine-events';
import { NetworkProbe } from '../../src/engine/network-probe';
import { StreamingProcess } from '../../src/engine/process-runner';
import { DockerError } from '../../src/engine/docker-error';

// An in-memory engine for unit tests of main, post and the lifecycle: `create` makes a container
// per service of the compose text it was given (as compose would, with the project's labels),
// `start` emits events as the engine does, and every call is recorded. Services behave as their
// `behaviour` says. Only for unit tests: everything touching a real engine is in __tests__/e2e.

export interface FakeService {
  /** Exits this long after each start, with `exitCode`. */
  exitAfterMs?: number;
  exitCode?: number;
  /** Ports that accept connections once it runs (at its address 10.9.0.x). */
  listens?: number[];
  logs?: string;
  env?: Record<string, string>;
}

export interface FakeDockerOptions {
  yaml: string;
  cli?: ComposeCli;
  behaviour?: Record<string, FakeService>;
  /** Resources already carrying the project's label before the run. */
  existing?: { containers?: string[]; networks?: string[]; volumes?: string[] };
  /** Images on the engine, with their ENV (absent: every image is there). */
  images?: Record<string, Record<string, string>>;
  /**
   * Images a registry serves: what compose prints while pulling each, and failures its first
   * pulls meet (one message each). An image in neither list cannot be pulled.
   */
  registry?: Record<string, { lines?: string[]; failures?: string[]; ms?: number; endLines?: string[] }>;
  /** The engine is reached through its API (pulls go there directly, anonymously). */
  api?: boolean;
  /** Registries the CLI's configuration has credentials for. */
  credentials?: string[];
  /** What compose prints while it builds a service's image (each create call that names it). */
  buildOutput?: Record<string, string[]>;
  /** The builder compose would use (absent: the engine's own on the containerd store); null: no buildx. */
  builder?: BuilderFacts | null;
  /** Containers the engine knows that are not the project's (a job container, say). */
  others?: ContainerFacts[];
  /** The engine's address (default: the local socket). */
  endpoint?: string;
  /** The name compose gives the project on its own (default: none it can say). */
  ownName?: string;
  /** What `compose run` of the run service prints, and its exit code. */
  run?: { lines: string[]; code: number };
  /** Make these calls fail with this message. */
  failing?: Partial<Record<keyof (ComposeCalls & EngineCalls), string>>;
}

export class FakeDocker implements ComposeCalls, EngineCalls {
  readonly calls: string[] = [];
  readonly containers = new Map<string, ContainerFacts>();
  private readonly pulled = new Set<string>();
  networks: string[] = [];
  volumes: string[] = [];
  private listeners: ((e: EngineEvent) => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: FakeDockerOptions) {
    this.networks = [...(options.existing?.networks ?? [])];
    this.volumes = [...(options.existing?.volumes ?? [])];
  }

  /** What a network probe from the runner sees: the ports of running containers that listen. */
  readonly network: NetworkProbe = {
    tcp: async (host, port) => {
      const c = [...this.containers.values()].find((f) => f.ipAddresses.includes(host));
      const listens = c && c.status === 'running' ? (this.options.behaviour?.[c.service]?.listens ?? []) : [];
      return listens.includes(port) ? undefined : `ECONNREFUSED ${host}:${port}`;
    },
    tcpHeld: async (host, port) => this.network.tcp(host, port, 1000),
    http: async () => 'no HTTP here',
  };

  /** Ends the timers of services still running (exits scheduled after the test). */
  dispose(): void {
    this.timers.forEach(clearTimeout);
  }

  private record(call: string, name: keyof (ComposeCalls & EngineCalls)): void {
    this.calls.push(call);
    const failure = this.options.failing?.[name];
    if (failure) throw new Error(failure);
  }

  private emit(id: string, action: string, extra: Partial<EngineEvent> = {}): void {
    for (const l of this.listeners) l({ id, action, timeMs: Date.now(), ...extra });
  }

  async serverVersion(): Promise<string> {
    this.record('version', 'serverVersion');
    return '99.0.0-fake';
  }

  async endpoint(): Promise<string> {
    return this.options.endpoint ?? 'unix:///var/run/docker.sock';
  }

  async findCompose(explicit: string[] | undefined): Promise<{ cli: ComposeCli; version: string }> {
    this.record('compose version', 'findCompose');
    const cli = explicit ? cliFromCommand(explicit) : (this.options.cli ?? DOCKER_COMPOSE);
    return { cli, version: '2.99.0-fake' };
  }

  async config(): Promise<string> {
    this.record('config', 'config');
    return this.options.yaml;
  }

  async composeRun(_cli: ComposeCli, _project: ComposeProject, service: string, command: string[], onLine: (line: string) => void): Promise<number> {
    this.record(`run ${service}${command.length > 0 ? ` ${command.join(' ')}` : ''}`, 'composeRun');
    for (const line of this.options.run?.lines ?? []) onLine(line);
    return this.options.run?.code ?? 0;
  }

  async composeEnvironment(): Promise<Record<string, string> | undefined> {
    return undefined;
  }

  async composeAllServices(): Promise<string[]> {
    return Object.keys(parseResolvedConfig(this.options.yaml).services).sort();
  }

  async composeOwnName(): Promise<string | undefined> {
    return this.options.ownName;
  }

  async create(_cli: ComposeCli, project: ComposeProject, options: CreateOptions, progress?: (line: string) => void): Promise<void> {
    this.record(`create ${options.services.join(' ')}`, 'create');
    const model = parseResolvedConfig(this.options.yaml);
    if (!this.networks.includes(`${project.name}_default`)) this.networks.push(`${project.name}_default`);
    for (const service of options.services) {
      const svc = model.services[service];
      if (svc.hasBuild && ![...this.containers.values()].some((c) => c.service === service)) for (const line of this.options.buildOutput?.[service] ?? []) progress?.(line);
      for (let i = 1; i <= svc.replicas; i++) {
        const id = `${service}-${i}`.padEnd(64, '0');
        // As compose: a container whose configuration is unchanged is left as it is.
        if (this.containers.has(id)) continue;
        const env = { ...(this.options.images?.[svc.image ?? ''] ?? {}), ...svc.environment, ...(this.options.behaviour?.[service]?.env ?? {}) };
        this.containers.set(
          id,
          parseInspect({
            Id: id,
            Name: `/${project.name}-${service}-${i}`,
            State: { Status: 'created' },
            Config: {
              Image: svc.image,
              Labels: {
                'com.docker.compose.project': project.name,
                'com.docker.compose.service': service,
                // What compose records of the files it read: the named ones, else its default file.
                'com.docker.compose.project.config_files': (project.files.length > 0 ? project.files : ['compose.yaml'])
                  .map((f) => path.resolve(project.workingDirectory, f))
                  .join(','),
                'com.docker.compose.project.working_dir': path.dirname(path.resolve(project.workingDirectory, project.files[0] ?? 'compose.yaml')),
                ...svc.labels,
              },
              Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
            },
            HostConfig: { NetworkMode: `${project.name}_default`, RestartPolicy: { Name: 'no' } },
            NetworkSettings: {
              Networks: { [`${project.name}_default`]: { IPAddress: `10.9.0.${this.containers.size + 2}` } },
              Ports: Object.fromEntries(svc.ports.map((p) => [`${p.target}/${p.protocol}`, p.published ? [{ HostIp: '0.0.0.0', HostPort: String(p.published) }] : []])),
            },
          }),
        );
        progress?.(`Container ${project.name}-${service}-${i}  Created`);
      }
    }
  }

  async composeStart(_cli: ComposeCli, _project: ComposeProject, services: string[]): Promise<void> {
    this.record(`compose start ${services.join(' ')}`, 'composeStart');
    await this.start([...this.containers.values()].filter((c) => services.includes(c.service)).map((c) => c.id));
  }

  async down(): Promise<void> {
    this.record('down', 'down');
  }

  async hasImage(image: string): Promise<boolean> {
    return !this.options.images || image in this.options.images || this.pulled.has(image);
  }

  async pullRefusal(image: string): Promise<string | undefined> {
    if (!this.options.api) return undefined;
    this.record(`check ${image}`, 'pullRefusal');
    return this.options.registry?.[image] ? undefined : `manifest for ${image} not found: manifest unknown: manifest unknown`;
  }

  get pullsThroughApi(): boolean {
    return this.options.api === true;
  }

  mayHaveCredentials(registry: string): boolean {
    return (this.options.credentials ?? []).includes(registry);
  }

  async pullImage(image: string, progress: LayerEvents): Promise<void> {
    this.record(`pull image ${image}`, 'pullImage');
    const served = this.options.registry?.[image];
    if (!served) throw new DockerError(`manifest for ${image} not found: manifest unknown: manifest unknown`);
    const failure = served.failures?.shift();
    if (failure) throw new DockerError(failure);
    for (const line of served.lines ?? []) progress.take(line);
    if (served.ms) await new Promise((r) => setTimeout(r, served.ms));
    for (const line of served.endLines ?? []) progress.take(line);
    this.pulled.add(image);
  }

  async tagImage(source: string, target: string): Promise<void> {
    this.record(`tag ${source} ${target}`, 'tagImage');
    if (!this.pulled.has(source)) throw new DockerError(`No such image: ${source}`);
    this.pulled.add(target);
  }

  async untagImage(image: string): Promise<void> {
    this.record(`untag ${image}`, 'untagImage');
    this.pulled.delete(image);
  }

  async composePull(_cli: ComposeCli, _project: ComposeProject, service: string, _pull: PullPolicy, progress: (line: string) => void): Promise<void> {
    this.record(`pull ${service}`, 'composePull');
    const image = parseResolvedConfig(this.options.yaml).services[service].image as string;
    const served = this.options.registry?.[image];
    if (!served) throw new DockerError(`pull access denied for ${image}, repository does not exist or may require 'docker login'`);
    const failure = served.failures?.shift();
    if (failure) throw new DockerError(failure);
    for (const line of served.lines ?? []) progress(line);
    if (served.ms) await new Promise((r) => setTimeout(r, served.ms));
    for (const line of served.endLines ?? []) progress(line);
    this.pulled.add(image);
  }

  async builder(): Promise<BuilderFacts | undefined> {
    this.record('builder', 'builder');
    if (this.options.builder === null) return undefined;
    return this.options.builder ?? { name: 'default', driver: 'docker', containerdImageStore: true };
  }

  async imageEnvironments(images: string[]): Promise<Record<string, string>[]> {
    this.record('image env', 'imageEnvironments');
    return images.flatMap((i) => (this.options.images?.[i] ? [this.options.images[i]] : []));
  }

  /** Volumes of a project: those labelled with it, and the unlabelled ones the fake's one project has. */
  private projectVolumes(project: string): string[] {
    return this.volumes.filter((v) => {
      const labels = this.volumeLabels.get(v);
      return !labels || labels['com.docker.compose.project'] === project;
    });
  }

  /** With `alsoLabel` (key=value), only what carries it; networks are not labelled here and count as carrying it. */
  async projectResources(project: string, alsoLabel?: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    this.record('resources', 'projectResources');
    const [key, value] = alsoLabel?.split('=') ?? [];
    const has = (labels: Record<string, string> | undefined) => !alsoLabel || labels?.[key] === value;
    const names = [...this.containers.values()].filter((c) => has(c.labels)).map((c) => c.name);
    const existing = alsoLabel ? [] : (this.options.existing?.containers ?? []);
    return { containers: [...existing, ...names], networks: [...this.networks], volumes: this.projectVolumes(project).filter((v) => has(this.volumeLabels.get(v))) };
  }

  /** Volume labels, for the deploy record (volumes created through createVolume). */
  readonly volumeLabels = new Map<string, Record<string, string>>();
  /** Lock containers by name, with their labels. */
  readonly locks = new Map<string, Record<string, string>>();

  async labelledVolumes(label: string): Promise<{ name: string; labels: Record<string, string> }[]> {
    this.record('volume ls', 'labelledVolumes');
    return [...this.volumeLabels.entries()].filter(([, l]) => label in l).map(([name, labels]) => ({ name, labels }));
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    this.record(`volume create ${name}`, 'createVolume');
    this.volumeLabels.set(name, labels);
    if (!this.volumes.includes(name)) this.volumes.push(name);
  }

  async createLock(name: string, labels: Record<string, string>): Promise<boolean> {
    this.record(`lock ${name}`, 'createLock');
    if (this.locks.has(name)) return false;
    this.locks.set(name, labels);
    return true;
  }

  async containerIdAndLabels(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    const labels = this.locks.get(name);
    return labels ? { id: name, labels } : undefined;
  }

  async containerIds(): Promise<string[]> {
    this.record('ps', 'containerIds');
    return [...this.containers.keys()];
  }

  async inspect(ids: string[]): Promise<ContainerFacts[]> {
    this.record('inspect', 'inspect');
    return ids.flatMap((id) => {
      const f = this.containers.get(id) ?? this.options.others?.find((o) => o.id.startsWith(id));
      if (!f && ids.length === 1) throw new Error(`Error: No such object: ${id}`);
      return f ? [{ ...f }] : [];
    });
  }

  async start(ids: string[]): Promise<void> {
    this.record(`start ${ids.map((id) => this.containers.get(id)?.service).join(' ')}`, 'start');
    for (const id of ids) {
      const f = this.containers.get(id) as ContainerFacts;
      const b = this.options.behaviour?.[f.service] ?? {};
      f.status = 'running';
      f.startedAt = Date.now();
      this.emit(id, 'start');
      if (b.exitAfterMs !== undefined) {
        this.timers.push(
          setTimeout(() => {
            f.status = 'exited';
            f.exitCode = b.exitCode ?? 0;
            this.emit(id, 'die', { exitCode: f.exitCode });
          }, b.exitAfterMs),
        );
      }
    }
  }

  async tailLogs(id: string): Promise<string> {
    return this.options.behaviour?.[this.containers.get(id)?.service ?? '']?.logs ?? '';
  }

  followLogs(id: string, onLine: (line: string) => void): StreamingProcess {
    for (const line of (this.options.behaviour?.[this.containers.get(id)?.service ?? '']?.logs ?? '').split('\n')) onLine(line);
    return { done: new Promise(() => undefined), stop: () => undefined };
  }

  async streamLogs(id: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<number> {
    this.record(`logs --all ${this.containers.get(id)?.service}`, 'streamLogs');
    for (const line of (this.options.behaviour?.[this.containers.get(id)?.service ?? '']?.logs ?? '').split('\n').filter(Boolean))
      onLine(`2026-01-01T00:00:00.000000000Z ${line}`, 'stdout');
    return 0;
  }

  async printLogs(id: string): Promise<number> {
    this.record(`logs ${this.containers.get(id)?.service}`, 'printLogs');
    return 0;
  }

  async exec(): Promise<{ code: number; output: string }> {
    return { code: 1, output: 'no exec in the fake' };
  }

  watchEvents(_project: string, _since: number, onEvent: (e: EngineEvent) => void, signal: AbortSignal): StreamingProcess {
    this.listeners.push(onEvent);
    const stop = () => (this.listeners = this.listeners.filter((l) => l !== onEvent));
    signal.addEventListener('abort', stop);
    return { done: new Promise(() => undefined), stop };
  }

  async stop(ids: string[]): Promise<void> {
    this.record(`stop ${ids.length}`, 'stop');
    for (const id of ids) {
      const f = this.containers.get(id);
      if (f) f.status = 'exited';
    }
  }

  async removeContainers(ids: string[]): Promise<void> {
    this.record(`rm ${ids.length}`, 'removeContainers');
    ids.forEach((id) => {
      this.containers.delete(id);
      this.locks.delete(id);
    });
  }

  async networkIds(): Promise<string[]> {
    this.record('network ls', 'networkIds');
    return [...this.networks];
  }

  /** network -> containers attached through networkConnect. */
  readonly attached = new Map<string, string[]>();

  async networkConnect(network: string, container: string): Promise<void> {
    this.record(`network connect ${network}`, 'networkConnect');
    this.attached.set(network, [...(this.attached.get(network) ?? []), container]);
  }

  async networkDisconnect(network: string, container: string): Promise<void> {
    this.record(`network disconnect ${network}`, 'networkDisconnect');
    this.attached.set(
      network,
      (this.attached.get(network) ?? []).filter((c) => c !== container),
    );
  }

  async removeNetworks(ids: string[]): Promise<void> {
    const busy = ids.filter((n) => (this.attached.get(n) ?? []).length > 0);
    if (busy.length > 0) throw new Error(`error while removing network: network ${busy[0]} has active endpoints`);
    this.record(`network rm ${ids.length}`, 'removeNetworks');
    this.networks = this.networks.filter((n) => !ids.includes(n));
  }

  async volumeNames(project: string): Promise<string[]> {
    this.record('volume ls', 'volumeNames');
    return this.projectVolumes(project);
  }

  async removeVolumes(names: string[]): Promise<void> {
    this.record(`volume rm ${names.length}`, 'removeVolumes');
    this.volumes = this.volumes.filter((v) => !names.includes(v));
    names.forEach((n) => this.volumeLabels.delete(n));
  }
}

/**
 * What main needs around it for a run against a FakeDocker: a plain machine (not in a container)
 * whose interfaces are on the fake containers' network, 10.9.0.0/24.
 */
export function fakeMainDependencies(runtime: ActionRuntime, docker: FakeDocker, cwd: string, patch: Partial<MainDependencies> = {}): MainDependencies {
  return {
    runtime,
    docker: () => docker,
    network: docker.network,
    interfaces: () => ({ eth0: [{ address: '10.9.0.1', netmask: '255.255.255.0', family: 'IPv4' }] }),
    surroundings: () => ({ dockerenv: false, mountinfo: '', cgroup: '', hostname: 'runner' }),
    env: {},
    cwd,
    comments: () => ({ upsert: () => Promise.reject(new Error('no GitHub in unit tests')) }),
    pullRequests: () => ({ state: () => Promise.reject(new Error('no GitHub in unit tests')) }),
    eventPayload: () => ({}),
    now: () => new Date(),
    ...patch,
  };
}
