import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

// The Docker Engine API, for the calls a large stack makes once per container (inspect, start,
// stop, remove), the listings and the small calls every run makes (version, volumes): a request
// is far cheaper than starting a `docker` process on a runner's few cores. Spoken where the CLI
// would reach the engine without anything of its own in between: the local unix socket, or a plain
// tcp:// DOCKER_HOST. An engine behind TLS, ssh or a context goes through the CLI.

/** Where the API is reached: a unix socket, or a host and port over plain HTTP. */
export type EngineAddress = { socketPath: string } | { host: string; port: number };

/** How messages name the address, as DOCKER_HOST would. */
export function addressText(a: EngineAddress): string {
  return 'socketPath' in a ? `unix://${a.socketPath}` : `tcp://${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}

/** The engine's address where this run reaches it without the CLI's help, else undefined. */
export function engineApiAddress(env: NodeJS.ProcessEnv): EngineAddress | undefined {
  const host = env.DOCKER_HOST ?? '';
  if (host.startsWith('tcp://')) return plainTcpAddress(host, env);
  const socket = localEngineSocket(env);
  return socket ? { socketPath: socket } : undefined;
}

/**
 * A tcp:// DOCKER_HOST the CLI speaks plain HTTP to: none of the CLI's TLS settings is given
 * (DOCKER_TLS, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), and no context is chosen instead.
 */
function plainTcpAddress(host: string, env: NodeJS.ProcessEnv): EngineAddress | undefined {
  if (env.DOCKER_TLS || env.DOCKER_TLS_VERIFY || env.DOCKER_CERT_PATH || env.DOCKER_CONTEXT) return undefined;
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    return undefined;
  }
  if (url.pathname !== '' && url.pathname !== '/') return undefined;
  const port = url.port === '' ? 2375 : Number(url.port);
  return url.hostname ? { host: url.hostname.replace(/^\[|\]$/g, ''), port } : undefined;
}

/** The local socket when this run talks to a local engine through one, else undefined. */
export function localEngineSocket(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.DOCKER_HOST ?? '';
  if (host !== '' && !host.startsWith('unix://')) return undefined;
  if (env.DOCKER_CONTEXT && env.DOCKER_CONTEXT !== 'default') return undefined;
  if (host === '' && currentContext(env) !== undefined) return undefined;
  const socket = host === '' ? '/var/run/docker.sock' : host.slice('unix://'.length);
  try {
    fs.accessSync(socket, fs.constants.R_OK | fs.constants.W_OK);
    return socket;
  } catch {
    return undefined;
  }
}

/** The CLI's current context when it is not the default one (it may point anywhere). */
function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.DOCKER_CONFIG || path.join(os.homedir(), '.docker');
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { currentContext?: string };
    return config.currentContext && config.currentContext !== 'default' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

export class EngineApiError extends Error {}

/** The engine took no connection, or dropped it: the daemon is down, restarting, or not there. */
export class EngineUnreachableError extends EngineApiError {}

/** Errors of the connection itself rather than of an answer. */
const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND']);

/** The API's `filters` query for one label. */
/** Every label given must be on what is listed. */
function labelFilter(label: string | string[]): string {
  return encodeURIComponent(JSON.stringify({ label: ([] as string[]).concat(label) }));
}

export class EngineApi {
  constructor(
    readonly address: EngineAddress,
    private readonly signal?: AbortSignal,
  ) {}

  private request(method: string, urlPath: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Host: 'docker', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
      const req = http.request({ ...this.address, method, path: urlPath, headers, signal: this.signal, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        const at = addressText(this.address);
        if (e.code && CONNECTION_ERRORS.has(e.code)) reject(new EngineUnreachableError(`The Docker daemon at ${at} did not answer. ${e.message}`));
        else reject(new EngineApiError(`Docker Engine API at ${at}: ${e.message}`));
      });
      // Only a limit the caller set: the global agent's own idle timeout (keep-alive sockets) would
      // otherwise end a start or a stop that takes the engine a few seconds.
      if (timeoutMs !== undefined) req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  private static failure(what: string, r: { status: number; body: string }): EngineApiError {
    let message = r.body.trim();
    try {
      message = (JSON.parse(r.body) as { message?: string }).message ?? message;
    } catch {
      // a body that is not JSON is shown as it is
    }
    return new EngineApiError(`${what} failed (HTTP ${r.status}): ${message}`);
  }

  /** The same JSON `docker inspect` prints, one object per container. */
  inspect(ids: string[]): Promise<Record<string, unknown>[]> {
    return Promise.all(ids.map((id) => this.json<Record<string, unknown>>(`/containers/${encodeURIComponent(id)}/json`, `Inspecting container ${id}`)));
  }

  private async json<T>(urlPath: string, what: string): Promise<T> {
    const r = await this.request('GET', urlPath);
    if (r.status !== 200) throw EngineApi.failure(what, r);
    return JSON.parse(r.body) as T;
  }

  /** Containers that carry a label, running or not. */
  async containers(label: string | string[]): Promise<{ id: string; name: string }[]> {
    const list = await this.json<{ Id: string; Names?: string[] }[]>(`/containers/json?all=1&filters=${labelFilter(label)}`, 'Listing containers');
    return list.map((c) => ({ id: c.Id, name: (c.Names?.[0] ?? c.Id).replace(/^\//, '') }));
  }

  /** What carries a label, by name (containers, networks) and id, as `docker ps -a` / `network ls` / `volume ls` list it. */
  async labelled(label: string | string[]): Promise<{ containers: { id: string; name: string }[]; networks: { id: string; name: string }[]; volumes: string[] }> {
    const [containers, networks, volumes] = await Promise.all([this.containers(label), this.networks(label), this.volumes(label)]);
    return { containers, networks, volumes };
  }

  async networks(label: string | string[]): Promise<{ id: string; name: string }[]> {
    const list = await this.json<{ Id: string; Name: string }[]>(`/networks?filters=${labelFilter(label)}`, 'Listing networks');
    return list.map((n) => ({ id: n.Id, name: n.Name }));
  }

  async volumes(label: string | string[]): Promise<string[]> {
    return (await this.volumesWithLabels(label)).map((v) => v.name);
  }

  /** Volumes that carry a label, each with all its labels. */
  async volumesWithLabels(label: string | string[]): Promise<{ name: string; labels: Record<string, string> }[]> {
    const list = await this.json<{ Volumes: { Name: string; Labels?: Record<string, string> | null }[] | null }>(`/volumes?filters=${labelFilter(label)}`, 'Listing volumes');
    return (list.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    const r = await this.request('POST', '/volumes/create', { Name: name, Labels: labels });
    if (r.status !== 201) throw EngineApi.failure(`Creating volume ${name}`, r);
  }

  /** The engine's version, as `docker version` prints the server's; fails when it does not answer in time. */
  async version(timeoutMs: number): Promise<string> {
    const r = await this.request('GET', '/version', undefined, timeoutMs);
    if (r.status !== 200) throw EngineApi.failure('Asking the engine its version', r);
    return (JSON.parse(r.body) as { Version?: string }).Version ?? '';
  }

  /** Each image's own environment; an image not on the engine gives none. */
  async imageEnvironments(images: string[]): Promise<string[][]> {
    const found = await Promise.all(
      images.map(async (image) => {
        const r = await this.request('GET', `/images/${encodeURIComponent(image)}/json`);
        if (r.status === 404) return undefined;
        if (r.status !== 200) throw EngineApi.failure(`Inspecting image ${image}`, r);
        return (JSON.parse(r.body) as { Config?: { Env?: string[] } }).Config?.Env ?? [];
      }),
    );
    return found.filter((e): e is string[] => e !== undefined);
  }

  /** Stops every container at once, each with the grace; one already stopped is fine (304). */
  async stop(ids: string[], graceSeconds: number): Promise<void> {
    await this.each(ids, 'POST', (id) => `/containers/${encodeURIComponent(id)}/stop?t=${Math.round(graceSeconds)}`, 'Stopping container', [204, 304]);
  }

  /** Removes containers with their anonymous volumes, running or not; one already gone is fine. */
  async remove(ids: string[]): Promise<void> {
    await this.each(ids, 'DELETE', (id) => `/containers/${encodeURIComponent(id)}?force=1&v=1`, 'Removing container', [204, 404]);
  }

  private async each(ids: string[], method: string, url: (id: string) => string, what: string, ok: number[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const r = await this.request(method, url(id));
        if (!ok.includes(r.status)) throw EngineApi.failure(`${what} ${id}`, r);
      }),
    );
  }

  /** Starts every container at once; one already running is fine (304). */
  async start(ids: string[]): Promise<void> {
    await this.each(ids, 'POST', (id) => `/containers/${encodeURIComponent(id)}/start`, 'Starting container', [204, 304]);
  }
}
