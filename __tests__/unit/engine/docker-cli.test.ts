import { Docker } from '../../../src/engine/docker';
import { ProcessRunner, RunResult, StreamingProcess } from '../../../src/engine/process-runner';

// The engine calls through the `docker` CLI (the backend for an engine behind TLS, ssh or a
// context): what each call runs and how it reads the answer, over a scripted runner. The same
// calls on the real engine, on both backends: __tests__/e2e/engine-backends.test.ts.

type Script = (argv: string[]) => RunResult | undefined;

function scripted(script: Script): { docker: Docker; ran: string[][] } {
  const ran: string[][] = [];
  const run = async (command: string, argv: string[]): Promise<RunResult> => {
    ran.push([command, ...argv]);
    return script(argv) ?? { code: 0, stdout: '', stderr: '' };
  };
  const stream = (command: string, argv: string[]): StreamingProcess => {
    ran.push([command, ...argv]);
    return { done: Promise.resolve(0), stop: () => undefined };
  };
  const runner = { run, stream, passThrough: async () => 0 } as unknown as ProcessRunner;
  // The CLI backend chosen outright: a tcp engine would be the API's, and a unit test reaches no engine.
  return { docker: new Docker(runner, { DOCKER_HOST: 'tcp://10.201.9.2:2375' }, undefined, 'cli'), ran };
}

const ok = (stdout: string): RunResult => ({ code: 0, stdout, stderr: '' });
const failed = (stderr: string, code = 1): RunResult => ({ code, stdout: '', stderr });
const starts = (argv: string[], ...prefix: string[]) => prefix.every((p, i) => argv[i] === p);

describe('the CLI backend', () => {
  it('lists the project’s containers, networks and volumes by name', async () => {
    const { docker } = scripted((argv) => {
      if (starts(argv, 'ps')) return ok('shop-db-1\nshop-web-1\n');
      if (starts(argv, 'network', 'ls')) return ok('shop_default\n');
      if (starts(argv, 'volume', 'ls')) return ok('\n');
      return undefined;
    });
    expect(await docker.projectResources('shop')).toEqual({ containers: ['shop-db-1', 'shop-web-1'], networks: ['shop_default'], volumes: [] });
  });

  it('inspects containers from the CLI’s JSON, and deals starts into calls that run together', async () => {
    const inspect = [{ Id: 'c1', Name: '/shop-db-1', Config: { Labels: { 'com.docker.compose.service': 'db' }, Image: 'mariadb' }, State: { Status: 'running' } }];
    const { docker, ran } = scripted((argv) => (starts(argv, 'container', 'inspect') ? ok(JSON.stringify(inspect)) : undefined));
    const [facts] = await docker.inspect(['c1']);
    expect([facts.id, facts.name, facts.service, facts.status]).toEqual(['c1', 'shop-db-1', 'db', 'running']);
    expect(await docker.inspect([])).toEqual([]);
    await docker.start(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    const startCalls = ran.filter((r) => r[1] === 'start');
    expect(startCalls.length).toBeGreaterThan(1);
    expect(startCalls.flatMap((r) => r.slice(2).filter((a) => !a.startsWith('-'))).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('reads labelled volumes with their labels in two calls, and none when nothing is labelled', async () => {
    const { docker } = scripted((argv) => {
      if (starts(argv, 'volume', 'ls')) return ok('shop_a\nshop_b\n');
      if (starts(argv, 'volume', 'inspect')) return ok('{"x":"1"}\nnull\n');
      return undefined;
    });
    expect(await docker.labelledVolumes('x')).toEqual([
      { name: 'shop_a', labels: { x: '1' } },
      { name: 'shop_b', labels: {} },
    ]);
    const none = scripted(() => ok(''));
    expect(await none.docker.labelledVolumes('x')).toEqual([]);
    expect(none.ran).toHaveLength(1);
  });

  it('creates the lock (importing its empty image where missing); a name in use means another holder', async () => {
    let lockCalls = 0;
    const { docker, ran } = scripted((argv) => {
      if (starts(argv, 'image', 'inspect')) return failed('No such image');
      if (starts(argv, 'container', 'create')) return ++lockCalls === 1 ? ok('id') : failed('Conflict. The container name "/x" is already in use');
      return undefined;
    });
    expect(await docker.createLock('shop-ephemeral-compose-lock', { a: '1' })).toBe(true);
    expect(ran.some((r) => r[1] === 'image' && r[2] === 'import')).toBe(true);
    expect(await docker.createLock('shop-ephemeral-compose-lock', { a: '1' })).toBe(false);
    const broken = scripted((argv) => (starts(argv, 'container', 'create') ? failed('no space left on device', 125) : undefined));
    await expect(broken.docker.createLock('x', {})).rejects.toThrow('Creating the lock container failed (exit code 125):\nno space left on device');
  });

  it('reads a container’s id and labels, and says undefined for one that does not exist', async () => {
    const { docker } = scripted((argv) => {
      const name = argv[argv.length - 1];
      if (name === 'gone') return failed('Error: No such container: gone');
      if (name === 'broken') return failed('permission denied');
      if (argv.includes('{{.Id}} {{json .Config.Labels}}')) return ok('abc123 {"k":"v"}\n');
      return ok('{"k":"v"}\n');
    });
    expect(await docker.containerIdAndLabels('lock')).toEqual({ id: 'abc123', labels: { k: 'v' } });
    expect(await docker.containerIdAndLabels('gone')).toBeUndefined();
    await expect(docker.containerIdAndLabels('broken')).rejects.toThrow('docker container inspect failed (exit code 1):\npermission denied');
  });

  it('runs a command in a container, and reports one that did not finish in time as -1', async () => {
    const { docker } = scripted((argv) => (starts(argv, 'exec') ? ok('up\n') : undefined));
    expect(await docker.exec('c1', ['cat', '/proc/net/tcp'], 1000, new AbortController().signal)).toEqual({ code: 0, output: 'up' });
    const slow = new Docker({ run: async () => Promise.reject(new Error('timed out')) } as unknown as ProcessRunner, { DOCKER_HOST: 'tcp://x:2375' }, undefined, 'cli');
    expect(await slow.exec('c1', ['true'], 50, new AbortController().signal)).toEqual({ code: -1, output: 'timed out after 50 ms' });
  });

  it('names the daemon that did not answer, and what ssh refused', async () => {
    const { docker } = scripted(() => failed('ssh: Host key verification failed.'));
    await expect(docker.serverVersion()).rejects.toThrow(
      "The Docker daemon at tcp://10.201.9.2:2375 did not answer. ssh said 'Host key verification failed': add the host to known_hosts",
    );
  });

  it('reads images’ own environments, the engine’s address from the context, and leaves the rest to one call each', async () => {
    const { docker, ran } = scripted((argv) => {
      if (starts(argv, 'image', 'inspect')) return ok('["A=1","B=2"]\n');
      if (starts(argv, 'context', 'inspect')) return ok('ssh://deploy@preview\n');
      return undefined;
    });
    expect(await docker.imageEnvironments(['app'])).toEqual([{ A: '1', B: '2' }]);
    expect(await docker.imageEnvironments([])).toEqual([]);
    const viaContext = new Docker((docker as unknown as { runner: ProcessRunner }).runner, { DOCKER_CONTEXT: 'preview' });
    expect(await viaContext.endpoint()).toBe('ssh://deploy@preview');
    await docker.stop(['c1'], 3);
    await docker.removeContainers(['c1']);
    await docker.networkConnect('shop_default', 'job');
    await docker.networkDisconnect('shop_default', 'job');
    await docker.removeNetworks(['n1']);
    await docker.removeVolumes(['v1']);
    await docker.createVolume('shop_rec', { a: '1' });
    expect(await docker.networkIds('shop')).toEqual([]);
    expect(await docker.volumeNames('shop')).toEqual([]);
    expect(await docker.containerIds('shop')).toEqual([]);
    await docker.tailLogs('c1', 10);
    docker.followLogs('c1', () => undefined, new AbortController().signal);
    docker.watchEvents('shop', 0, () => undefined, new AbortController().signal);
    expect(ran.map((r) => r.slice(1, 3).join(' '))).toEqual(
      expect.arrayContaining(['stop --time', 'rm --force', 'network connect', 'network disconnect', 'network rm', 'volume rm', 'volume create', 'logs --tail', 'events --format']),
    );
  });
});

describe('the compose calls', () => {
  const project = { name: 'shop', workingDirectory: '/w', files: ['compose.yaml'], envFiles: [], profiles: [] };
  const cli = { command: '/plugins/docker-compose', baseArgs: [], shownAs: 'docker compose' };

  it('reads the configuration, the environment, every service and compose’s own name', async () => {
    const { docker, ran } = scripted((argv) => {
      if (argv.includes('--environment')) return ok('A=1\nB=two=2\n');
      if (argv.includes('--services')) return ok('web\ndb\n');
      if (argv.includes('--format') && argv.includes('json')) return ok('{"name":"shop-own"}');
      if (argv.includes('config')) return ok('services: {}\n');
      return undefined;
    });
    expect(await docker.config(cli, project)).toBe('services: {}\n');
    expect(await docker.composeEnvironment(cli, project)).toEqual({ A: '1', B: 'two=2' });
    expect(await docker.composeAllServices(cli, project)).toEqual(['db', 'web']);
    expect(await docker.composeOwnName(cli, project)).toBe('shop-own');
    // The plugin's binary takes compose's arguments directly.
    expect(ran.every((r) => r[0] === '/plugins/docker-compose' && r[1] !== 'compose')).toBe(true);
  });

  it('says what compose could not do, with its last lines; and what it cannot say is undefined or empty', async () => {
    const { docker } = scripted(() => failed('services.web.ports must be a list', 15));
    await expect(docker.config(cli, project)).rejects.toThrow("Reading the compose configuration with 'docker compose' failed (exit code 15):\nservices.web.ports must be a list");
    await expect(docker.create(cli, project, { services: ['web'], pull: 'missing', build: false, upFlags: [] })).rejects.toThrow(
      'Creating the stack (compose up --no-start) failed',
    );
    await expect(docker.composeStart(cli, project, ['web'])).rejects.toThrow('Starting web failed');
    await expect(docker.down(cli, project, 3, [])).rejects.toThrow('compose down failed');
    expect(await docker.composeEnvironment(cli, project)).toBeUndefined();
    expect(await docker.composeAllServices(cli, project)).toEqual([]);
    expect(await docker.composeOwnName(cli, project)).toBeUndefined();
    const notJson = scripted(() => ok('name: shop'));
    expect(await notJson.docker.composeOwnName(cli, project)).toBeUndefined();
  });

  it('runs a service in the foreground and gives its exit code', async () => {
    const { docker, ran } = scripted((argv) => (argv.includes('run') ? { code: 3, stdout: '', stderr: '' } : undefined));
    expect(await docker.composeRun(cli, project, 'tests', ['pytest'], () => undefined, 1000)).toBe(3);
    expect(ran[0].slice(-3)).toEqual(['--', 'tests', 'pytest']);
  });
});
