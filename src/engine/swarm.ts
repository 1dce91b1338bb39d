import { StackLabels } from '../compose/labels';
import { failure } from './docker-error';
import { ProcessRunner } from './process-runner';

// The calls a stack on Swarm needs, through the CLI (the engine the CLI is pointed at: DOCKER_HOST,
// docker-host, a context). Every call goes to the manager; what runs on other nodes is seen
// through it (tasks, their nodes' addresses, service logs), never by reaching a node directly.

/** The engine's place in a swarm, as `docker info` says it. */
export interface SwarmRole {
  /** inactive, pending, active, error, locked */
  state: string;
  manager: boolean;
  /** The manager's address in the swarm. */
  nodeAddress?: string;
  error?: string;
}

/** One task, as `docker stack ps` lists it. */
export interface SwarmTask {
  id: string;
  /** The stack's name for the service (`<stack>_<service>`). */
  service: string;
  /** `<stack>_<service>.<slot>` */
  name: string;
  node: string;
  /** Running, Shutdown, Complete, … */
  desired: string;
  /** The state word of "Running 3 seconds ago", "Failed 1 second ago", … */
  state: string;
  error: string;
}

/** A port of a service as Swarm publishes it. */
export interface PublishedPort {
  target: number;
  published: number;
  protocol: string;
  /** ingress (every node answers) or host (the node that runs the task) */
  mode: string;
}

/** A service of a stack, as `docker service inspect` says. */
export interface SwarmService {
  /** The stack's name for it (`<stack>_<service>`). */
  name: string;
  labels: Record<string, string>;
  /**
   * What its tasks are made from (the task template, and the ports published in host mode, which
   * are bound to the tasks): when it changes, Swarm replaces every task.
   */
  taskSpec: string;
  /** A job (replicated-job or global-job): every update of it runs it again. */
  job: boolean;
}

/** A swarm config's id and labels. */
export interface SwarmConfig {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface SwarmCalls {
  role(): Promise<SwarmRole>;
  /** The CLI's own check of a stack file: undefined when it takes it, else what it says. */
  check(file: string): Promise<string | undefined>;
  deploy(stack: string, file: string): Promise<void>;
  tasks(stack: string): Promise<SwarmTask[]>;
  ports(services: string[]): Promise<Record<string, PublishedPort[]>>;
  nodeAddress(node: string): Promise<string | undefined>;
  serviceLogs(service: string, lines: number): Promise<string>;
  remove(stack: string): Promise<void>;
  /** What still carries the stack's label: services, networks, configs, secrets. */
  remaining(stack: string): Promise<string[]>;
  /** The stack's services. */
  services(stack: string): Promise<SwarmService[]>;
  removeServices(names: string[]): Promise<void>;
  /** Creates a config; false when one of that name exists (the managers give a name to one creator). */
  createConfig(name: string, labels: Record<string, string>, data: string): Promise<boolean>;
  /** The configs that carry a label (`key` or `key=value`). */
  configs(label: string): Promise<SwarmConfig[]>;
  /** The config of that name, or undefined. */
  config(name: string): Promise<SwarmConfig | undefined>;
  removeConfig(idOrName: string): Promise<void>;
}

const STACK_LABEL = StackLabels.Namespace;

export class SwarmCli implements SwarmCalls {
  constructor(
    private readonly runner: ProcessRunner,
    private readonly env: NodeJS.ProcessEnv,
    private readonly signal?: AbortSignal,
  ) {}

  private async docker(args: string[], what: string, timeoutMs = 60000): Promise<string> {
    const r = await this.runner.run('docker', args, { env: this.env, signal: this.signal, maxBytes: 4 << 20, timeoutMs });
    if (r.code !== 0) throw failure(what, r);
    return r.stdout;
  }

  async role(): Promise<SwarmRole> {
    const out = await this.docker(['info', '--format', '{{json .Swarm}}'], "'docker info'", 20000);
    const s = JSON.parse(out) as { LocalNodeState?: string; ControlAvailable?: boolean; NodeAddr?: string; Error?: string };
    return { state: s.LocalNodeState ?? 'inactive', manager: s.ControlAvailable === true, nodeAddress: s.NodeAddr || undefined, error: s.Error || undefined };
  }

  async check(file: string): Promise<string | undefined> {
    const r = await this.runner.run('docker', ['stack', 'config', '-c', file], { env: this.env, signal: this.signal, maxBytes: 1 << 20, timeoutMs: 30000 });
    return r.code === 0 ? undefined : (r.stderr || r.stdout).trim();
  }

  async deploy(stack: string, file: string): Promise<void> {
    // The images are the nodes' or their registry's: no digest is pinned from here.
    await this.docker(['stack', 'deploy', '--detach=true', '--resolve-image', 'never', '--with-registry-auth', '-c', file, stack], `'docker stack deploy' of ${stack}`, 120000);
  }

  async tasks(stack: string): Promise<SwarmTask[]> {
    const r = await this.runner.run('docker', ['stack', 'ps', '--no-trunc', '--format', '{{json .}}', stack], {
      env: this.env,
      signal: this.signal,
      maxBytes: 4 << 20,
      timeoutMs: 60000,
    });
    // A stack whose services have no task yet (just deployed), or no stack at all: an error to the CLI, no tasks here.
    if (r.code !== 0 && /nothing found in stack/i.test(r.stderr)) return [];
    if (r.code !== 0) throw failure(`'docker stack ps ${stack}'`, r);
    return parseTasks(r.stdout);
  }

  async ports(services: string[]): Promise<Record<string, PublishedPort[]>> {
    if (services.length === 0) return {};
    const out = await this.docker(['service', 'inspect', '--format', '{{json .}}', ...services], "'docker service inspect'");
    const result: Record<string, PublishedPort[]> = {};
    for (const line of out.split('\n').filter(Boolean)) {
      const s = JSON.parse(line) as { Spec?: { Name?: string }; Endpoint?: { Ports?: { TargetPort?: number; PublishedPort?: number; Protocol?: string; PublishMode?: string }[] } };
      result[s.Spec?.Name ?? ''] = (s.Endpoint?.Ports ?? [])
        .filter((p) => p.PublishedPort)
        .map((p) => ({ target: p.TargetPort ?? 0, published: p.PublishedPort ?? 0, protocol: p.Protocol ?? 'tcp', mode: p.PublishMode ?? 'ingress' }));
    }
    return result;
  }

  async nodeAddress(node: string): Promise<string | undefined> {
    const out = await this.docker(['node', 'inspect', '--format', '{{.Status.Addr}}', node], `'docker node inspect ${node}'`);
    return out.trim() || undefined;
  }

  async serviceLogs(service: string, lines: number): Promise<string> {
    const r = await this.runner.run('docker', ['service', 'logs', '--raw', '--tail', String(lines), service], { env: this.env, maxBytes: 256 * 1024, timeoutMs: 30000 });
    return `${r.stdout}${r.stderr}`.trimEnd();
  }

  async remove(stack: string): Promise<void> {
    await this.docker(['stack', 'rm', stack], `'docker stack rm ${stack}'`);
  }

  async remaining(stack: string): Promise<string[]> {
    const filter = `label=${STACK_LABEL}=${stack}`;
    const kinds = ['service', 'network', 'config', 'secret'] as const;
    const lists = await Promise.all(kinds.map((k) => this.docker([k, 'ls', '--filter', filter, '--format', '{{.Name}}'], `'docker ${k} ls'`)));
    return kinds.flatMap((k, i) => lines(lists[i]).map((n) => `${k} ${n}`));
  }

  async services(stack: string): Promise<SwarmService[]> {
    const ids = lines(await this.docker(['service', 'ls', '-q', '--filter', `label=${STACK_LABEL}=${stack}`], "'docker service ls'"));
    if (ids.length === 0) return [];
    const out = await this.docker(['service', 'inspect', '--format', '{{json .}}', ...ids], "'docker service inspect'");
    return lines(out).map((l) => readService(JSON.parse(l) as InspectedService));
  }

  async removeServices(names: string[]): Promise<void> {
    if (names.length > 0) await this.docker(['service', 'rm', ...names], "'docker service rm'");
  }

  async createConfig(name: string, labels: Record<string, string>, data: string): Promise<boolean> {
    const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
    const r = await this.runner.run('docker', ['config', 'create', ...labelArgs, name, '-'], {
      env: this.env,
      signal: this.signal,
      maxBytes: 64 * 1024,
      timeoutMs: 30000,
      input: Promise.resolve(data),
    });
    if (r.code === 0) return true;
    if (/already exists|AlreadyExists/i.test(r.stderr)) return false;
    throw failure(`'docker config create ${name}'`, r);
  }

  async configs(label: string): Promise<SwarmConfig[]> {
    const ids = lines(await this.docker(['config', 'ls', '-q', '--filter', `label=${label}`], "'docker config ls'"));
    return ids.length === 0 ? [] : this.inspectConfigs(ids);
  }

  async config(name: string): Promise<SwarmConfig | undefined> {
    // By exact name: `config inspect` would also take an id prefix.
    const found = await this.inspectConfigs([name]).catch((e: Error) => {
      if (/no such config|not found/i.test(e.message)) return [];
      throw e;
    });
    return found.find((c) => c.name === name);
  }

  async removeConfig(idOrName: string): Promise<void> {
    await this.docker(['config', 'rm', idOrName], `'docker config rm ${idOrName}'`);
  }

  private async inspectConfigs(ids: string[]): Promise<SwarmConfig[]> {
    const out = await this.docker(['config', 'inspect', '--format', '{{json .}}', ...ids], "'docker config inspect'");
    return lines(out).map((l) => {
      const c = JSON.parse(l) as { ID?: string; Spec?: { Name?: string; Labels?: Record<string, string> } };
      return { id: c.ID ?? '', name: c.Spec?.Name ?? '', labels: c.Spec?.Labels ?? {} };
    });
  }
}

const lines = (out: string): string[] =>
  out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

interface InspectedService {
  Spec?: {
    Name?: string;
    Labels?: Record<string, string>;
    TaskTemplate?: unknown;
    Mode?: { ReplicatedJob?: unknown; GlobalJob?: unknown };
    EndpointSpec?: { Ports?: { PublishMode?: string }[] };
  };
}

/** A service from `docker service inspect`. */
export function readService(s: InspectedService): SwarmService {
  const hostPorts = (s.Spec?.EndpointSpec?.Ports ?? []).filter((p) => p.PublishMode === 'host');
  return {
    name: s.Spec?.Name ?? '',
    labels: s.Spec?.Labels ?? {},
    taskSpec: JSON.stringify({ task: s.Spec?.TaskTemplate ?? null, hostPorts }),
    job: Boolean(s.Spec?.Mode?.ReplicatedJob || s.Spec?.Mode?.GlobalJob),
  };
}

/** `docker stack ps --format '{{json .}}'`, one task per line. */
export function parseTasks(out: string): SwarmTask[] {
  const tasks: SwarmTask[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const t = JSON.parse(line) as Record<string, string>;
    const name = t.Name ?? '';
    tasks.push({
      id: t.ID ?? '',
      name,
      // Old tasks of a slot are listed as "\_ name": the slot's name without that mark.
      service: name.replace(/^[\\_\s]+/, '').replace(/\.[^.]+$/, ''),
      node: t.Node ?? '',
      desired: t.DesiredState ?? '',
      state: (t.CurrentState ?? '').split(' ')[0] ?? '',
      // --no-trunc prints the error quoted.
      error: (t.Error ?? '').replace(/^"(.*)"$/s, '$1'),
    });
  }
  return tasks;
}
