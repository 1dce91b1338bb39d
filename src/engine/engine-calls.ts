import { ComposeCli, PullPolicy } from '../compose/compose-cli';
import { ComposeProject } from '../compose/compose-project';
import { ContainerFacts } from './container-facts';
import { CreateOptions } from './docker-args';
import { EngineEvent } from './engine-events';
import { StreamingProcess } from './process-runner';
import { LayerEvent } from './pull-progress';

/** What a pull tells of its layers: the engine's events, or the CLI's lines of them. */
export interface LayerEvents {
  event(e: LayerEvent): void;
  take(line: string): void;
}

// What the rest of the action may ask of Docker, in two interfaces by who answers: compose
// (ComposeCommands) and the engine (Docker, through its API or CLI). Code that needs only one asks
// for that one; the unit tests' fake implements these and nothing else.

export interface ComposeCalls {
  /** Which compose to run and its version; fails with what to do where there is none, or v1. */
  findCompose(explicit: string[] | undefined, cwd: string): Promise<{ cli: ComposeCli; version: string }>;
  /** Compose's resolved configuration of the project, as YAML. */
  config(cli: ComposeCli, project: ComposeProject, services?: string[]): Promise<string>;
  /** The environment compose interpolates the project with; undefined where compose cannot print it. */
  composeEnvironment(cli: ComposeCli, project: ComposeProject): Promise<Record<string, string> | undefined>;
  /** Every service the project's files define, whatever its profiles. */
  composeAllServices(cli: ComposeCli, project: ComposeProject): Promise<string[]>;
  /** The name compose would give the project without the action's. */
  composeOwnName(cli: ComposeCli, project: ComposeProject): Promise<string | undefined>;
  /** `compose up --no-start`: pulls, builds and creates; `progress` sees compose's output as it comes. */
  create(cli: ComposeCli, project: ComposeProject, options: CreateOptions, progress?: (line: string) => void, signal?: AbortSignal): Promise<void>;
  /** `compose pull` of one service's image; `progress` sees compose's plain per-layer output. */
  composePull(cli: ComposeCli, project: ComposeProject, service: string, pull: PullPolicy, progress: (line: string) => void, signal?: AbortSignal): Promise<void>;
  /** Starts services whose start compose must run itself (hooks). */
  composeStart(cli: ComposeCli, project: ComposeProject, services: string[]): Promise<void>;
  /** `compose run` in the foreground; its exit code. */
  composeRun(cli: ComposeCli, project: ComposeProject, service: string, command: string[], onLine: (line: string) => void, timeoutMs?: number): Promise<number>;
  down(cli: ComposeCli, project: ComposeProject, stopTimeoutSeconds: number, downFlags: string[]): Promise<void>;
}

export interface BuilderFacts {
  name: string;
  /** buildx's driver: `docker` (the engine's own BuildKit), `docker-container`, `remote`, … */
  driver: string;
  /** The engine keeps images in containerd (its `docker` driver can then export caches). */
  containerdImageStore: boolean;
}

export interface EngineCalls {
  /** The engine's version, or a message that says which daemon did not answer. */
  serverVersion(): Promise<string>;
  /** The engine's address as the CLI resolves it (DOCKER_HOST, the context, the local socket). */
  endpoint(): Promise<string>;
  hasImage(image: string): Promise<boolean>;
  /** `docker pull` of one reference; each layer event to `progress`. */
  pullImage(image: string, progress: LayerEvents, signal?: AbortSignal): Promise<void>;
  /** Why the registry would not serve the image without credentials; undefined when it would (or cannot be asked). */
  pullRefusal(image: string): Promise<string | undefined>;
  /** Whether pullImage goes through the Engine API (anonymously, telling its bytes). */
  readonly pullsThroughApi: boolean;
  /** Whether the CLI's configuration may hold credentials for `registry`. */
  mayHaveCredentials(registry: string): boolean;
  tagImage(source: string, target: string): Promise<void>;
  /** Removes one name of an image (its layers stay while another name uses them). */
  untagImage(image: string): Promise<void>;
  /** The builder compose builds with; undefined where the CLI has no buildx. */
  builder(): Promise<BuilderFacts | undefined>;
  /** Environment variables the images set themselves. */
  imageEnvironments(images: string[]): Promise<Record<string, string>[]>;
  /** What carries the project's label (and `alsoLabel`, when given). */
  projectResources(project: string, alsoLabel?: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }>;
  containerIds(project: string): Promise<string[]>;
  inspect(ids: string[]): Promise<ContainerFacts[]>;
  start(ids: string[]): Promise<void>;
  stop(ids: string[], stopTimeoutSeconds: number): Promise<void>;
  removeContainers(ids: string[]): Promise<void>;
  tailLogs(id: string, lines: number): Promise<string>;
  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal): StreamingProcess;
  /** The whole log, with timestamps, line by line as it streams; the exit code. */
  streamLogs(id: string, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<number>;
  /** The last lines of a log, to the step's own output; the exit code. */
  printLogs(id: string, lines: number): Promise<number>;
  /** Runs a command in the container; its exit code, or -1 when it did not finish in time. */
  exec(id: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }>;
  watchEvents(project: string, sinceSeconds: number, onEvent: (e: EngineEvent) => void, signal: AbortSignal): StreamingProcess;
  networkIds(project: string): Promise<string[]>;
  networkConnect(network: string, container: string): Promise<void>;
  networkDisconnect(network: string, container: string): Promise<void>;
  removeNetworks(ids: string[]): Promise<void>;
  volumeNames(project: string): Promise<string[]>;
  labelledVolumes(label: string): Promise<{ name: string; labels: Record<string, string> }[]>;
  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  removeVolumes(names: string[]): Promise<void>;
  /** Creates a lock container; false when one of that name exists. */
  createLock(name: string, labels: Record<string, string>): Promise<boolean>;
  containerIdAndLabels(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined>;
}
