import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { demultiplexer, linesOf, MULTIPLEXED_STREAM, StreamName } from './engine-streams';
import { LayerEvent } from './pull-progress';
import { anyOf } from './abort-signals';

// The Docker Engine API, for every engine call the action makes: per container (inspect, start,
// stop, remove, logs, probe execs), the event stream, the listings and removals, the locks: a
// request is far cheaper than starting a `docker` process on a runner's few cores. Spoken where the CLI
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
      req.on('error', (e: NodeJS.ErrnoException) => reject(this.requestError(e, false)));
      // Only a limit the caller set: the global agent's own idle timeout (keep-alive sockets) would
      // otherwise end a start or a stop that takes the engine a few seconds.
      if (timeoutMs !== undefined) req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /**
   * A request whose answer streams (logs, exec output, events): resolves with the response once its
   * head is in; the body is the caller's to read. `signal` (with the client's own) ends it.
   */
  private open(method: string, urlPath: string, body: unknown, signal?: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Host: 'docker', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
      const req = http.request({ ...this.address, method, path: urlPath, headers, signal: anyOf(this.signal, signal) }, resolve);
      req.on('error', (e: NodeJS.ErrnoException) => reject(this.requestError(e, true)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  private requestError(e: NodeJS.ErrnoException, abortIsTheCallers: boolean): Error {
    const at = addressText(this.address);
    // A stream's caller ended it (a probe's timeout, a stop): theirs to tell.
    if (abortIsTheCallers && e.name === 'AbortError') return e;
    if (e.code && CONNECTION_ERRORS.has(e.code)) return new EngineUnreachableError(`The Docker daemon at ${at} did not answer. ${e.message}`);
    return new EngineApiError(`Docker Engine API at ${at}: ${e.message}`);
  }

  /** Reads a whole (error) answer of a stream request. */
  private static async bodyOf(res: http.IncomingMessage): Promise<{ status: number; body: string }> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
  }

  /**
   * Reads a streamed body to its end, each chunk to `onData` with its stream. Resolves when the
   * engine ends it, or when `signal` ends it (the caller's choice); rejects when the connection
   * drops.
   */
  private static drain(res: http.IncomingMessage, onData: (chunk: Buffer) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      res.on('data', onData);
      res.on('end', () => resolve());
      res.on('error', (e) => (signal?.aborted ? resolve() : reject(e)));
      res.on('close', () => (res.complete || signal?.aborted ? resolve() : reject(new EngineUnreachableError('The Docker daemon closed the stream.'))));
    });
  }

  /**
   * A container's log as `docker logs` prints it (`tail`: lines from the end, or all), each line
   * with its stream; with `follow`, until the container stops or `signal` ends it.
   */
  async logs(
    id: string,
    o: { tail: number | 'all'; follow: boolean; timestamps: boolean },
    onLine: (line: string, stream: StreamName) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    const query = `stdout=1&stderr=1&tail=${o.tail}&follow=${o.follow ? 1 : 0}&timestamps=${o.timestamps ? 1 : 0}`;
    const res = await this.open('GET', `/containers/${encodeURIComponent(id)}/logs?${query}`, undefined, signal);
    if (res.statusCode !== 200) throw EngineApi.failure(`Reading the log of ${id}`, await EngineApi.bodyOf(res));
    const lines = linesOf(onLine);
    // A container with a terminal has one raw stream. Engines before API 1.42 call every log
    // stream raw, so there the container's own setting decides.
    const multiplexed = res.headers['content-type'] === MULTIPLEXED_STREAM || !(await this.hasTty(id));
    await EngineApi.drain(res, multiplexed ? demultiplexer(lines) : (c) => lines(c, 'stdout'), signal);
    // A container's last line may have no newline (it exited mid-line): the engine ends the log there.
    if (!signal?.aborted) lines.end();
  }

  private async hasTty(id: string): Promise<boolean> {
    const [c] = await this.inspect([id]);
    return (c.Config as { Tty?: boolean } | undefined)?.Tty === true;
  }

  /**
   * Runs a command in a running container as `docker exec` does (no terminal); its exit code and
   * the last bytes of its output. `signal` ends the wait (the command itself runs on, as it does
   * when the CLI is ended).
   */
  async exec(id: string, command: string[], maxBytes: number, signal: AbortSignal): Promise<{ code: number; output: string }> {
    const created = await this.request('POST', `/containers/${encodeURIComponent(id)}/exec`, { AttachStdout: true, AttachStderr: true, Cmd: command });
    // As the CLI ends: "Error response from daemon: …" and exit code 1 (no such container, not running).
    if (created.status !== 201) return { code: 1, output: `Error response from daemon: ${EngineApi.messageOf(created.body)}` };
    const execId = (JSON.parse(created.body) as { Id: string }).Id;
    const res = await this.open('POST', `/exec/${execId}/start`, { Detach: false, Tty: false }, signal);
    if (res.statusCode !== 200) return { code: 1, output: `Error response from daemon: ${EngineApi.messageOf((await EngineApi.bodyOf(res)).body)}` };
    let output: Buffer = Buffer.alloc(0);
    await EngineApi.drain(
      res,
      demultiplexer((c) => {
        output = Buffer.concat([output, c]);
        if (output.length > maxBytes) output = output.subarray(output.length - maxBytes);
      }),
      signal,
    );
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
    return { code: await this.execExitCode(execId), output: output.toString('utf8') };
  }

  /** The exit code once the engine has recorded it (it may lag the end of the output a little). */
  private async execExitCode(execId: string): Promise<number> {
    for (let i = 0; ; i++) {
      const e = await this.json<{ Running: boolean; ExitCode: number | null }>(`/exec/${execId}/json`, 'Inspecting an exec');
      if ((!e.Running && e.ExitCode !== null) || i >= 50) return e.ExitCode ?? -1;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * The engine's events as `docker events --format '{{json .}}'` prints them, one JSON text per
   * line, from `since` (seconds) on, until `signal` ends the stream or the engine does.
   */
  async events(filters: Record<string, string[]>, since: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    const res = await this.open('GET', `/events?since=${encodeURIComponent(since)}&filters=${encodeURIComponent(JSON.stringify(filters))}`, undefined, signal);
    if (res.statusCode !== 200) throw EngineApi.failure('Watching the engine’s events', await EngineApi.bodyOf(res));
    const lines = linesOf((line) => onLine(line));
    await EngineApi.drain(res, (c) => lines(c, 'stdout'), signal);
  }

  private static messageOf(body: string): string {
    try {
      return (JSON.parse(body) as { message?: string }).message ?? body.trim();
    } catch {
      return body.trim();
    }
  }

  private static failure(what: string, r: { status: number; body: string }): EngineApiError {
    return new EngineApiError(`${what} failed (HTTP ${r.status}): ${EngineApi.messageOf(r.body)}`);
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

  /** Removes networks; one already gone is fine. */
  async removeNetworks(ids: string[]): Promise<void> {
    await this.each(ids, 'DELETE', (id) => `/networks/${encodeURIComponent(id)}`, 'Removing network', [204, 404]);
  }

  /** Removes volumes as `docker volume rm --force` does: one already gone is fine. */
  async removeVolumes(names: string[]): Promise<void> {
    await this.each(names, 'DELETE', (name) => `/volumes/${encodeURIComponent(name)}?force=1`, 'Removing volume', [204, 404]);
  }

  /**
   * `docker pull` of one reference, without credentials (a public mirror): each layer event of the
   * engine's JSON stream to `onEvent`; an error the stream reports fails it.
   */
  async pull(image: string, onEvent: (e: LayerEvent) => void, signal?: AbortSignal): Promise<void> {
    const res = await this.open('POST', `/images/create?fromImage=${encodeURIComponent(image)}`, undefined, signal);
    if (res.statusCode !== 200) throw new EngineApiError(EngineApi.messageOf((await EngineApi.bodyOf(res)).body));
    let failed: string | undefined;
    const lines = linesOf((line) => {
      let m: { id?: string; status?: string; error?: string; progressDetail?: { current?: number; total?: number } };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        return;
      }
      if (m.error) failed = m.error;
      else if (m.id && m.status) onEvent({ id: m.id, status: m.status, current: m.progressDetail?.current, total: m.progressDetail?.total });
    });
    await EngineApi.drain(res, (c) => lines(c, 'stdout'), signal);
    if (signal?.aborted) throw new Error(`Pulling ${image} was cancelled`);
    if (failed) throw new EngineApiError(failed);
  }

  /**
   * What the image's registry answers the engine for its manifest, without credentials (`GET
   * /distribution`): undefined when it has it, else the engine's message.
   */
  async distributionRefusal(image: string): Promise<string | undefined> {
    const r = await this.request('GET', `/distribution/${encodeURIComponent(image)}/json`);
    return r.status === 200 ? undefined : EngineApi.messageOf(r.body);
  }

  /** Gives an image another name (`docker tag`). */
  async tag(source: string, target: string): Promise<void> {
    const at = target.lastIndexOf(':');
    const [repo, tag] = at > target.lastIndexOf('/') ? [target.slice(0, at), target.slice(at + 1)] : [target, 'latest'];
    const r = await this.request('POST', `/images/${encodeURIComponent(source)}/tag?repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}`);
    if (r.status !== 201) throw EngineApi.failure(`Tagging ${source} as ${target}`, r);
  }

  /** Removes one name of an image, never layers another name still uses. */
  async untag(image: string): Promise<void> {
    const r = await this.request('DELETE', `/images/${encodeURIComponent(image)}?noprune=1`);
    if (r.status !== 200 && r.status !== 404) throw EngineApi.failure(`Removing the name ${image}`, r);
  }

  async hasImage(image: string): Promise<boolean> {
    const r = await this.request('GET', `/images/${encodeURIComponent(image)}/json`);
    if (r.status === 200) return true;
    if (r.status === 404) return false;
    throw EngineApi.failure(`Inspecting image ${image}`, r);
  }

  /** A container's id and labels by name (or id), or undefined when there is none. */
  async containerIdAndLabels(name: string): Promise<{ id: string; labels: Record<string, string> } | undefined> {
    const r = await this.request('GET', `/containers/${encodeURIComponent(name)}/json`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw EngineApi.failure(`Inspecting container ${name}`, r);
    const c = JSON.parse(r.body) as { Id: string; Config?: { Labels?: Record<string, string> | null } };
    return { id: c.Id, labels: c.Config?.Labels ?? {} };
  }

  /** Creates a container that never runs; false when one of that name exists. */
  async createContainer(name: string, image: string, command: string[], labels: Record<string, string>): Promise<boolean> {
    const r = await this.request('POST', `/containers/create?name=${encodeURIComponent(name)}`, { Image: image, Cmd: command, Labels: labels });
    if (r.status === 201) return true;
    if (r.status === 409) return false;
    throw EngineApi.failure(`Creating container ${name}`, r);
  }

  /** Starts every container at once; one already running is fine (304). */
  async start(ids: string[]): Promise<void> {
    await this.each(ids, 'POST', (id) => `/containers/${encodeURIComponent(id)}/start`, 'Starting container', [204, 304]);
  }
}
