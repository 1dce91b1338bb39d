import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { EngineApi, engineApiAddress, localEngineSocket } from '../../../src/engine/engine-api';

// The Engine API client against a fake engine on a unix socket: the requests it sends (method,
// path, filters, body) and how it reads the answers, errors included. The real engine answers the
// same calls in __tests__/e2e/engine-backends.test.ts.

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** A fake engine: answers by "METHOD /path" (query left out), records every request. */
async function fakeEngine(answers: Record<string, (url: URL, body: string) => { status: number; body?: unknown }>) {
  const dir = tempDir('ec-api-');
  const socket = path.join(dir, 'docker.sock');
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://engine');
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      const answer = answers[`${req.method} ${url.pathname}`]?.(url, body) ?? { status: 404, body: { message: `no such route ${url.pathname}` } };
      res.writeHead(answer.status, { 'Content-Type': 'application/json' });
      res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const filtersOf = (url: string) => JSON.parse(new URL(url, 'http://engine').searchParams.get('filters') ?? '{}') as Record<string, string[]>;

describe('the Engine API client', () => {
  it('lists what carries every label given, by name and id', async () => {
    const engine = await fakeEngine({
      'GET /containers/json': () => ({ status: 200, body: [{ Id: 'c1', Names: ['/shop-db-1'] }, { Id: 'c2' }] }),
      'GET /networks': () => ({ status: 200, body: [{ Id: 'n1', Name: 'shop_default' }] }),
      'GET /volumes': () => ({
        status: 200,
        body: {
          Volumes: [
            { Name: 'shop_data', Labels: { a: '1' } },
            { Name: 'shop_x', Labels: null },
          ],
        },
      }),
    });
    const api = new EngineApi({ socketPath: engine.socket });
    const found = await api.labelled(['com.docker.compose.project=shop', 'x=y']);
    expect(found).toEqual({
      containers: [
        { id: 'c1', name: 'shop-db-1' },
        { id: 'c2', name: 'c2' },
      ],
      networks: [{ id: 'n1', name: 'shop_default' }],
      volumes: ['shop_data', 'shop_x'],
    });
    expect(await api.volumesWithLabels('a=1')).toEqual([
      { name: 'shop_data', labels: { a: '1' } },
      { name: 'shop_x', labels: {} },
    ]);
    const containers = engine.seen.find((s) => s.url.startsWith('/containers/json'));
    expect(containers?.url).toContain('all=1');
    expect(filtersOf(containers?.url ?? '')).toEqual({ label: ['com.docker.compose.project=shop', 'x=y'] });
    await engine.close();
  });

  it('creates a volume with its labels as JSON, and reads the engine version', async () => {
    const engine = await fakeEngine({
      'POST /volumes/create': () => ({ status: 201, body: {} }),
      'GET /version': () => ({ status: 200, body: { Version: '28.5.2', ApiVersion: '1.51' } }),
    });
    const api = new EngineApi({ socketPath: engine.socket });
    await api.createVolume('shop_rec', { 'ephemeral-compose.lifetime': '1' });
    expect(engine.seen[0]).toEqual({ method: 'POST', url: '/volumes/create', body: JSON.stringify({ Name: 'shop_rec', Labels: { 'ephemeral-compose.lifetime': '1' } }) });
    expect(await api.version(1000)).toBe('28.5.2');
    await engine.close();
  });

  it('starts, stops and removes every container at once, taking "already so" as done, and names the one that failed', async () => {
    const engine = await fakeEngine({
      'POST /containers/a/start': () => ({ status: 204 }),
      'POST /containers/b/start': () => ({ status: 304 }),
      'POST /containers/a/stop': (url) => ({ status: url.searchParams.get('t') === '3' ? 204 : 400 }),
      'DELETE /containers/a': (url) => ({ status: url.searchParams.get('force') === '1' && url.searchParams.get('v') === '1' ? 204 : 400 }),
      'DELETE /containers/gone': () => ({ status: 404, body: { message: 'No such container: gone' } }),
      'POST /containers/bad/start': () => ({ status: 500, body: { message: 'driver failed programming external connectivity' } }),
    });
    const api = new EngineApi({ socketPath: engine.socket });
    await api.start(['a', 'b']);
    await api.stop(['a'], 3.2);
    await api.remove(['a', 'gone']);
    await expect(api.start(['bad'])).rejects.toThrow('Starting container bad failed (HTTP 500): driver failed programming external connectivity');
    await engine.close();
  });

  it('waits as long as the engine takes when no limit is set, whatever the keep-alive agent’s idle timeout', async () => {
    // Node's global agent ends idle sockets after its `timeout` (5 s); a start of many containers
    // can take the engine longer. Shortened here to show it.
    const agent = http.globalAgent as http.Agent & { options: { timeout?: number } };
    const before = agent.options.timeout;
    agent.options.timeout = 100;
    const slow = http.createServer((_req, res) => setTimeout(() => res.writeHead(204).end(), 400));
    const socket = path.join(tempDir('ec-api-'), 'docker.sock');
    await new Promise<void>((resolve) => slow.listen(socket, resolve));
    try {
      await new EngineApi({ socketPath: socket }).start(['a']);
    } finally {
      agent.options.timeout = before;
      slow.close();
    }
  });

  it('reads each image’s environment, leaving out images the engine does not have', async () => {
    const engine = await fakeEngine({
      'GET /images/mariadb/json': () => ({ status: 200, body: { Config: { Env: ['MARIADB_MAJOR=11'] } } }),
      'GET /images/app/json': () => ({ status: 200, body: { Config: {} } }),
    });
    const api = new EngineApi({ socketPath: engine.socket });
    expect(await api.imageEnvironments(['mariadb', 'app', 'missing'])).toEqual([['MARIADB_MAJOR=11'], []]);
    await engine.close();
  });

  it('inspects containers; an answer that is not JSON is shown as it is', async () => {
    const engine = await fakeEngine({
      'GET /containers/c1/json': () => ({ status: 200, body: { Id: 'c1', State: { Status: 'running' } } }),
      'GET /containers/c2/json': () => ({ status: 502, body: 'Bad Gateway' }),
    });
    const api = new EngineApi({ socketPath: engine.socket });
    expect(await api.inspect(['c1'])).toEqual([{ Id: 'c1', State: { Status: 'running' } }]);
    await expect(api.inspect(['c2'])).rejects.toThrow('Inspecting container c2 failed (HTTP 502): Bad Gateway');
    await engine.close();
  });

  it('says which socket did not answer, and gives up on one that does not answer in time', async () => {
    const missing = path.join(os.tmpdir(), `ec-no-engine-${process.pid}.sock`);
    await expect(new EngineApi({ socketPath: missing }).version(1000)).rejects.toThrow(`The Docker daemon at unix://${missing} did not answer. connect ENOENT`);
    // An engine that takes the connection and never answers.
    const socket = path.join(tempDir('ec-api-'), 'docker.sock');
    const silent = http.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(socket, resolve));
    await expect(new EngineApi({ socketPath: socket }).version(200)).rejects.toThrow('no answer in 200 ms');
    silent.closeAllConnections();
    silent.close();
  });
});

describe('which engine is a local socket', () => {
  const socketFile = () => {
    const dir = tempDir('ec-sock-');
    const file = path.join(dir, 'docker.sock');
    fs.writeFileSync(file, '');
    return { dir, file };
  };

  it('is the unix socket DOCKER_HOST names, when this run may use it', () => {
    const { file, dir } = socketFile();
    expect(localEngineSocket({ DOCKER_HOST: `unix://${file}`, DOCKER_CONFIG: dir })).toBe(file);
    expect(localEngineSocket({ DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toBeUndefined();
    expect(localEngineSocket({ DOCKER_HOST: `unix://${file}.missing` })).toBeUndefined();
  });

  it('is not the default socket when a context other than the default one is chosen', () => {
    const { dir } = socketFile();
    expect(localEngineSocket({ DOCKER_CONTEXT: 'remote', DOCKER_CONFIG: dir })).toBeUndefined();
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    expect(localEngineSocket({ DOCKER_CONFIG: dir })).toBeUndefined();
  });
});

describe('which engine the API reaches directly', () => {
  it('is a tcp:// DOCKER_HOST the CLI speaks plain HTTP to', () => {
    expect(engineApiAddress({ DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toEqual({ host: '10.0.0.2', port: 2375 });
    expect(engineApiAddress({ DOCKER_HOST: 'tcp://build-host' })).toEqual({ host: 'build-host', port: 2375 });
    expect(engineApiAddress({ DOCKER_HOST: 'tcp://[fd00::2]:2376' })).toEqual({ host: 'fd00::2', port: 2376 });
  });

  it('is not one behind TLS, ssh, a context or a path', () => {
    for (const tls of [{ DOCKER_TLS_VERIFY: '1' }, { DOCKER_TLS: '1' }, { DOCKER_CERT_PATH: '/certs' }, { DOCKER_CONTEXT: 'remote' }]) {
      expect(engineApiAddress({ DOCKER_HOST: 'tcp://10.0.0.2:2376', ...tls })).toBeUndefined();
    }
    expect(engineApiAddress({ DOCKER_HOST: 'ssh://ci@10.0.0.2' })).toBeUndefined();
    expect(engineApiAddress({ DOCKER_HOST: 'tcp://10.0.0.2:2375/prefix' })).toBeUndefined();
  });

  it('answers over tcp as over the socket, and names the address that did not answer', async () => {
    const server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ Version: '28.5.2', Path: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const address = engineApiAddress({ DOCKER_HOST: `tcp://127.0.0.1:${port}` });
    await expect(new EngineApi(address as { host: string; port: number }).version(2000)).resolves.toBe('28.5.2');
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // A port nothing listens on any more (and no pooled connection to it).
    const gone = http.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const closed = (gone.address() as { port: number }).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    await expect(new EngineApi({ host: '127.0.0.1', port: closed }).version(2000)).rejects.toThrow(
      `The Docker daemon at tcp://127.0.0.1:${closed} did not answer. connect ECONNREFUSED`,
    );
  });
});
