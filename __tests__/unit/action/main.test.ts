import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../../src/action/main';
import { decodeState, RunState } from '../../../src/action/state';
import { parseInspect } from '../../../src/engine/container-facts';
import { fakeMainDependencies, FakeDocker, FakeDockerOptions } from '../../helpers/fake-docker';
import { FakeRuntime } from '../../helpers/fake-runtime';

// The main step end to end over an in-memory engine: the order of what it does, what it saves for
// post, and what it hands on. The real-engine suites (__tests__/e2e) check the same against Docker.

const STACK = `name: shop
services:
  db:
    image: mariadb
    environment:
      MYSQL_ROOT_PASSWORD: correct-horse-battery
    ports: [{target: 3306, published: "33060", protocol: tcp}]
  migrate:
    image: app
    depends_on: {db: {condition: service_started}}
  web:
    image: app
    depends_on:
      db: {condition: service_started}
      migrate: {condition: service_completed_successfully}
    ports: [{target: 8080, published: "18080", protocol: tcp}]
`;

function workspace(yaml: string): string {
  const dir = tempDir('ec-main-');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), yaml);
  return dir;
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] }));
afterEach(() => jest.useRealTimers());

/** Runs main on jest's fake clock: the clock moves from one timer to the next until main ends. */
async function onClock<T>(main: Promise<T>): Promise<T> {
  let done = false;
  const watched = main.finally(() => (done = true));
  while (!done) {
    if (jest.getTimerCount() > 0) await jest.advanceTimersToNextTimerAsync();
    // Nothing timed pending: what main awaits is I/O (files), which moves on the real loop.
    else await new Promise((resolve) => setImmediate(resolve));
  }
  return watched;
}

async function runMain(options: Partial<FakeDockerOptions> & { inputs?: Record<string, string> } = {}) {
  const yaml = options.yaml ?? STACK;
  const runtime = new FakeRuntime({ 'project-name': 'shop', 'stop-timeout': '0', ...options.inputs });
  const docker = new FakeDocker({
    yaml,
    behaviour: { db: { listens: [3306] }, migrate: { exitAfterMs: 20, exitCode: 0 }, web: { listens: [8080] } },
    images: { mariadb: { MARIADB_MAJOR: '10' }, app: {} },
    ...options,
  });
  await onClock(run(fakeMainDependencies(runtime, docker, workspace(yaml))));
  docker.dispose();
  const state = decodeState(runtime.state.run ?? '') as RunState;
  return { runtime, docker, state };
}

describe('main with run', () => {
  it('starts what the run service needs, never judges it, runs it in the foreground and passes on its exit code', async () => {
    const { runtime, docker, state } = await runMain({ inputs: { run: 'web: pytest -q' }, run: { lines: ['collected 3 items', '3 passed'], code: 0 } });
    expect(runtime.failed).toBeUndefined();
    // Created with the rest (its image), its container removed again; only db and migrate started.
    expect(docker.calls.filter((c) => /^(create|start|run) /.test(c))).toEqual(['create db migrate web', 'start db', 'start migrate', 'run web pytest -q']);
    expect(runtime.lines).toContain('3 passed');
    expect(runtime.outputs['run-exit-code']).toBe('0');
    expect(Object.keys(JSON.parse(runtime.outputs.services) as Record<string, unknown>).sort()).toEqual(['db', 'migrate']);
    expect(state.outcome).toBe('success');
  });

  it('fails the step with the exit code, and post then treats the run as failed', async () => {
    const { runtime, state } = await runMain({ inputs: { run: 'web' }, run: { lines: ['1 failed'], code: 3 } });
    expect(runtime.failed).toBe('web exited with 3.');
    expect(runtime.outputs['run-exit-code']).toBe('3');
    expect(state.outcome).toBe('failure');
  });
});

describe('main', () => {
  it('creates, starts in dependency order, waits, publishes and saves what post needs', async () => {
    const { runtime, docker, state } = await runMain();
    expect(runtime.failed).toBeUndefined();
    // Created once (v2), then db first, migrate with it, web only after migrate completed.
    expect(docker.calls.filter((c) => c.startsWith('create') || c.startsWith('start'))).toEqual(['create db migrate web', 'start db', 'start migrate', 'start web']);
    expect(JSON.parse(runtime.outputs.urls)).toEqual({ db: 'mysql://root:correct-horse-battery@localhost:33060', web: 'http://localhost:18080' });
    expect(runtime.outputs['web-url']).toBe('http://localhost:18080');
    expect(runtime.outputs['project-name']).toBe('shop');
    expect(runtime.env).toMatchObject({ DB_HOST: 'localhost', DB_PORT: '33060', WEB_URL: 'http://localhost:18080' });
    const services = JSON.parse(runtime.outputs.services) as Record<string, { state: string; readiness: string }>;
    expect(services.migrate).toMatchObject({ state: 'completed' });
    expect(services.web).toMatchObject({ state: 'ready', readiness: 'listening' });
    // The password is masked before anything is created, and never printed in the URL lines.
    expect(runtime.secrets).toContain('correct-horse-battery');
    expect(runtime.log).toContain('db: mysql://root:***@localhost:33060');
    expect(runtime.log).not.toContain('correct-horse-battery');
    expect(runtime.log).toContain("Compose 2.99.0-fake ('docker compose'), engine 99.0.0-fake");
    expect(runtime.log).toContain('Reaching services: container addresses where this machine is on their network');
    expect(runtime.summaries.join('')).toContain('shop');
    expect(state).toMatchObject({ creationStarted: true, outcome: 'success', compose: { command: 'docker', baseArgs: ['compose'] } });
    // The files as compose recorded them on the containers: absolute, for post and later steps.
    expect(state.project.files).toHaveLength(1);
    expect(state.project.files[0]).toMatch(/^\/.*\/compose\.yaml$/);
    expect(state.project.name).toBe('shop');
    expect(state.post).toMatchObject({ teardown: 'always', stopTimeoutSeconds: 0 });
    expect(state.watched?.map((w) => w.service).sort()).toEqual(['db', 'web']);
  });

  it('refuses a project that already exists, before creating anything', async () => {
    const { runtime, docker, state } = await runMain({ existing: { containers: ['shop-db-1'], volumes: ['shop_data'] } });
    expect(runtime.failed).toContain("Project 'shop' already exists on this engine: 1 container (shop-db-1), 1 volume (shop_data)");
    expect(docker.calls.some((c) => c.startsWith('create'))).toBe(false);
    expect(state.creationStarted).toBe(false);
  });

  it('fails on a crash with its logs, still writes the outputs, and tells post it failed', async () => {
    const { runtime, state } = await runMain({ behaviour: { db: { exitAfterMs: 10, exitCode: 2, logs: 'FATAL: no disk' }, migrate: {}, web: {} } });
    // The service's own last words are in the message; the verdict is in the outputs.
    expect(runtime.failed).toContain('FATAL: no disk');
    expect(JSON.parse(runtime.outputs.services)).toMatchObject({ db: { state: 'failed', exitCode: 2 }, migrate: { state: 'not-started' }, web: { state: 'not-started' } });
    expect(state).toMatchObject({ creationStarted: true, outcome: 'failure' });
  });

  it('times out naming what each service waited for', async () => {
    const { runtime } = await runMain({ inputs: { timeout: '0.3' }, behaviour: { db: {}, migrate: {}, web: {} } });
    expect(JSON.parse(runtime.outputs.services)).toMatchObject({ db: { state: 'timed-out', exitCode: null }, migrate: { state: 'not-started' }, web: { state: 'not-started' } });
    // What it waited for and what it last saw, whatever the sentence around them.
    expect(runtime.failed).toMatch(/port 3306.*ECONNREFUSED 10\.9\.0\.\d+:3306/);
  });

  it('reports a wait-for naming a service that will not run, before compose creates anything', async () => {
    const { runtime, docker } = await runMain({ inputs: { 'wait-for': 'cache: tcp:6379' } });
    expect(runtime.failed).toContain("Input 'wait-for' names service(s) that will not run: cache");
    expect(docker.calls.some((c) => c.startsWith('create'))).toBe(false);
  });

  it('fails on a bad input before any docker call, and saves no state', async () => {
    const { runtime, docker } = await runMain({ inputs: { pull: 'sometimes' } });
    expect(runtime.failed).toContain("Input 'pull'");
    expect(docker.calls).toEqual([]);
    expect(runtime.state.run).toBeUndefined();
  });

  it('passes on why a creation failed after its image was pulled', async () => {
    const { runtime } = await runMain({ images: { app: {} }, registry: { mariadb: {} }, failing: { create: 'no space left on device' } });
    expect(runtime.failed).toContain('no space left on device');
  });

  it('names the image and registry, and says what to do, when a pull is refused', async () => {
    const { runtime, docker } = await runMain({ images: { app: {} } });
    expect(runtime.failed).toBe(
      "Registry docker.io refused to serve image 'mariadb' (service db): pull access denied for mariadb, repository does not exist or may require 'docker login'. Check the image's name and tag; if the image is private, log in to docker.io before this step (e.g. docker/login-action) with an account that may pull it.",
    );
    // Tried once: trying again cannot help.
    expect(docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull db']);
    // Services whose image is there are created at once; nothing starts.
    expect(docker.calls.filter((c) => c.startsWith('start'))).toEqual([]);
  });
});

describe('main on a cold engine', () => {
  const LAYER = (done: string) => `0cbe5ad8bb9e Downloading [=====>    ]  ${done}/157.3MB`;

  it('pulls in the order of need and starts the database while the app image still downloads', async () => {
    const { runtime, docker } = await runMain({
      images: {},
      registry: {
        mariadb: { ms: 10, lines: [LAYER('50MB'), '0cbe5ad8bb9e Download complete'] },
        app: { ms: 60_000, lines: ['aaaaaaaaaaaa Downloading [=>  ]  1MB/400MB'], endLines: ['aaaaaaaaaaaa Download complete'] },
      },
    });
    expect(runtime.failed).toBeUndefined();
    // db is created and started before app's pull ends; then migrate, and web once migrate exists
    // (compose is given what a service depends on in the same call).
    expect(docker.calls.filter((c) => /^(create|start|pull) /.test(c))).toEqual([
      'pull db',
      'pull migrate',
      'create db',
      'start db',
      'create migrate db',
      'create web db migrate',
      'start migrate',
      'start web',
    ]);
    expect(runtime.lines).toContain('Images to pull, in the order the stack needs them: mariadb, app');
    expect(runtime.log).toMatch(/^Pulled mariadb in 0\.0 s: 157 MB, \d+ MB\/s$/m);
    // Every five seconds while it runs.
    expect(runtime.lines.filter((l) => l.startsWith('  app: 1.0 MB of 400 MB'))).toHaveLength(12);
    expect(runtime.lines).toContain('Pulled app in 60.0 s: 400 MB, 6.7 MB/s');
    expect(runtime.summaries.join('')).toContain('| mariadb | db | pulled | 157.3 MB | 0.0 s |');
    expect(runtime.summaries.join('')).toContain('| app | migrate, web | pulled | 400.0 MB | 60.0 s |');
  });

  it('tries a pull again after a transient fault, saying so, and starts the stack', async () => {
    const { runtime, docker } = await runMain({
      images: { app: {} },
      registry: { mariadb: { failures: ['received unexpected HTTP status: 503 Service Unavailable', 'Get "http://r/v2/": EOF'] } },
    });
    expect(runtime.failed).toBeUndefined();
    expect(docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull db', 'pull db', 'pull db']);
    expect(runtime.lines).toContain('Pulling mariadb failed: received unexpected HTTP status: 503 Service Unavailable; trying again in 1 s');
    expect(runtime.lines).toContain('Pulling mariadb failed: Get "http://r/v2/": EOF; trying again in 2 s');
    expect(runtime.lines).toContain('Pulling mariadb (db), try 3');
  });

  it("says a 429 is the registry's rate limit, and fails with what to do when waiting does not fit the timeout", async () => {
    const limited = 'toomanyrequests: You have reached your pull rate limit.';
    const { runtime, docker } = await runMain({ inputs: { timeout: '10' }, images: { app: {} }, registry: { mariadb: { failures: Array(10).fill(limited) } } });
    expect(runtime.lines).toContain(`Pulling mariadb failed: the registry's rate limit (docker.io): ${limited}; trying again in 1 s`);
    // 1 + 2 + 4 s waited; the next 8 s would end past the 10 s timeout.
    expect(docker.calls.filter((c) => c.startsWith('pull'))).toHaveLength(4);
    expect(runtime.failed).toBe(
      `Registry docker.io is rate-limiting pulls (429 Too Many Requests) of image 'mariadb' (service db) after 4 tries within the step's timeout: ${limited}. Log in before this step (e.g. docker/login-action) for a higher limit, or pull through a mirror of the registry.`,
    );
  });

  it('pulls Docker Hub images from the mirror, and from Docker Hub what the mirror cannot serve', async () => {
    const { runtime, docker } = await runMain({
      inputs: { 'registry-mirror': 'https://mirror.example:5000/' },
      images: {},
      registry: { 'mirror.example:5000/library/mariadb': { lines: [LAYER('157.3MB')] }, app: {} },
    });
    expect(runtime.failed).toBeUndefined();
    expect(docker.calls.filter((c) => /^(pull|tag|untag)/.test(c))).toEqual([
      'pull image mirror.example:5000/library/mariadb',
      'tag mirror.example:5000/library/mariadb mariadb',
      'untag mirror.example:5000/library/mariadb',
      'pull image mirror.example:5000/library/app',
      'pull migrate',
    ]);
    expect(runtime.lines).toContain('mariadb: pulled from the mirror as mirror.example:5000/library/mariadb');
    expect(runtime.lines).toContain(
      'The mirror could not serve app (manifest for mirror.example:5000/library/app not found: manifest unknown: manifest unknown); pulling it from Docker Hub',
    );
    expect(runtime.summaries.join('')).toContain('| mariadb | db | pulled | 157.3 MB |');
  });

  it('creates a service whose image another service builds after the build, without naming the builder again (build: true would rebuild it)', async () => {
    const yaml = `name: shop
services:
  checked:
    build: {context: .}
    image: acme/tool
  engine:
    image: acme/tool
  db:
    image: mariadb
`;
    const { runtime, docker } = await runMain({ yaml, inputs: { build: 'true' }, images: {}, registry: { mariadb: { ms: 1000 } } });
    expect(runtime.failed).toBeUndefined();
    const creates = docker.calls.filter((c) => c.startsWith('create '));
    // acme/tool is the build's: never pulled; checked is created (built) once, engine after it.
    expect(docker.calls.filter((c) => c.startsWith('pull '))).toEqual(['pull db']);
    expect(creates.filter((c) => c.split(' ').includes('checked'))).toEqual(['create checked']);
    expect(creates.indexOf('create engine')).toBeGreaterThan(creates.indexOf('create checked'));
  });

  it('builds in a call of its own once what it depends on exists, and the summary says which image was built', async () => {
    const yaml = `name: shop
services:
  db:
    image: mariadb
    ports: [{target: 3306, published: "33060", protocol: tcp}]
  web:
    build: {context: .}
    depends_on: [db]
`;
    const buildOutput = { web: ['#5 [1/2] COPY requirements.txt /app/', '#5 CACHED', '#6 [2/2] RUN pip install -r /app/requirements.txt', '#6 DONE 0.1s'] };
    const { runtime, docker } = await runMain({ yaml, behaviour: { db: { listens: [3306] } }, images: {}, registry: { mariadb: { ms: 1000 } }, buildOutput });
    expect(runtime.failed).toBeUndefined();
    expect(docker.calls.filter((c) => /^(create|pull) /.test(c))).toEqual(['pull db', 'create db', 'create web db']);
    // Its progress, not compose's build output (which goes to the debug log).
    expect(runtime.lines).toContain("Building web (compose's build output: in the debug log)");
    expect(runtime.lines.some((l) => /^Built web in [\d.]+ s: 2 steps, 1 from the cache$/.test(l))).toBe(true);
    expect(runtime.lines).toContain('::debug::#6 [2/2] RUN pip install -r /app/requirements.txt');
    expect(runtime.lines).not.toContain('#6 [2/2] RUN pip install -r /app/requirements.txt');
    expect(runtime.summaries.join('')).toMatch(/\| shop-web \| web \| built \| — \| [\d.]+ s \|/);
  });

  it('has the engine pull directly where its API is reached, through compose where credentials or a platform are configured', async () => {
    const direct = await runMain({ api: true, images: { app: {} }, registry: { mariadb: {} } });
    expect(direct.runtime.failed).toBeUndefined();
    expect(direct.docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull image mariadb']);
    const loggedIn = await runMain({ api: true, credentials: ['docker.io'], images: { app: {} }, registry: { mariadb: {} } });
    expect(loggedIn.docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull db']);
    const platform = await runMain({
      api: true,
      yaml: STACK.replace('image: mariadb', 'image: mariadb\n    platform: linux/arm64'),
      images: { app: {} },
      registry: { mariadb: {} },
    });
    expect(platform.docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull db']);
  });

  it("pulls through compose an image the engine's pull without credentials was refused, and retries the registry's faults as they are", async () => {
    const refused = await runMain({
      api: true,
      images: { app: {} },
      registry: { mariadb: { failures: ["pull access denied for mariadb, repository does not exist or may require 'docker login'"] } },
    });
    expect(refused.runtime.failed).toBeUndefined();
    expect(refused.docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull image mariadb', 'pull db']);
    expect(refused.runtime.lines).toContain(
      "mariadb: the engine's pull without credentials failed (pull access denied for mariadb, repository does not exist or may require 'docker login'); pulling it through compose",
    );
    const faulty = await runMain({ api: true, images: { app: {} }, registry: { mariadb: { failures: ['received unexpected HTTP status: 503 Service Unavailable'] } } });
    expect(faulty.docker.calls.filter((c) => c.startsWith('pull'))).toEqual(['pull image mariadb', 'pull image mariadb']);
  });

  it('fails before creating anything when a registry says it has no image the stack needs, even a later one', async () => {
    const yaml = STACK.replace(/image: app/g, 'image: ghcr.io/acme/app:2');
    const { runtime, docker, state } = await runMain({ yaml, api: true, images: {}, registry: { mariadb: {} } });
    expect(runtime.failed).toBe(
      "Registry ghcr.io has no image 'ghcr.io/acme/app:2' (services migrate, web): manifest for ghcr.io/acme/app:2 not found: manifest unknown: manifest unknown. Check the image's name and tag.",
    );
    // Docker Hub is not asked first: it counts a manifest read as a pull.
    expect(docker.calls.filter((c) => /^(check|pull|create|start)/.test(c))).toEqual(['check ghcr.io/acme/app:2']);
    // Post is told nothing was created.
    expect(state.creationStarted).toBeFalsy();
  });

  it('refuses a registry-mirror that is not a registry address', async () => {
    const { runtime, docker } = await runMain({ inputs: { 'registry-mirror': 'mirror.example/a b' } });
    expect(runtime.failed).toBe("Input 'registry-mirror' must be a registry's host[:port], e.g. mirror.gcr.io; got 'mirror.example/a b'.");
    expect(docker.calls).toEqual([]);
  });

  it('says in a timeout which image a service not started still waits for', async () => {
    const { runtime } = await runMain({ inputs: { timeout: '5' }, images: { mariadb: {} }, registry: { app: { ms: 60_000 } } });
    expect(runtime.failed).toContain('Not started: migrate (waiting for its image app: pulling); web (needs migrate).');
  });
});

describe('main in a container job', () => {
  const JOB = 'f00d'.repeat(16);
  const job = parseInspect({ Id: JOB, Name: '/job', HostConfig: { NetworkMode: 'ci_net' }, NetworkSettings: { Networks: { ci_net: { IPAddress: '172.30.0.2' } } } });

  async function inJob(options: { known?: boolean; timeout?: string } = {}) {
    const runtime = new FakeRuntime({ 'project-name': 'shop', 'stop-timeout': '0', timeout: options.timeout ?? '300' });
    const docker = new FakeDocker({
      yaml: STACK,
      behaviour: { db: { listens: [3306] }, migrate: { exitAfterMs: 20, exitCode: 0 }, web: { listens: [8080] } },
      images: { mariadb: {}, app: {} },
      others: options.known === false ? [] : [job],
    });
    // The job container is on ci_net only, until it joins the project's network.
    const joined = () => (docker.attached.get('shop_default') ?? []).includes(JOB);
    await onClock(
      run({
        runtime,
        docker: () => docker,
        network: docker.network,
        interfaces: () => ({
          eth0: [{ address: '172.30.0.2', netmask: '255.255.0.0', family: 'IPv4' }],
          ...(joined() ? { eth1: [{ address: '10.9.0.99', netmask: '255.255.255.0', family: 'IPv4' }] } : {}),
        }),
        surroundings: () => ({ dockerenv: true, mountinfo: `1 2 0:1 /var/lib/docker/containers/${JOB}/hostname /etc/hostname rw`, cgroup: '0::/', hostname: JOB.slice(0, 12) }),
        env: {},
        cwd: workspace(STACK),
        comments: () => ({ upsert: () => Promise.reject(new Error('no GitHub in unit tests')) }),
        pullRequests: () => ({ state: () => Promise.reject(new Error('no GitHub in unit tests')) }),
        eventPayload: () => ({}),
        now: () => new Date(),
      }),
    );
    docker.dispose();
    return { runtime, docker, state: decodeState(runtime.state.run ?? '') as RunState };
  }

  it('joins the project network before the wait, and gives URLs at the services’ names', async () => {
    const { runtime, docker, state } = await inJob();
    expect(runtime.failed).toBeUndefined();
    expect(docker.calls.indexOf('network connect shop_default')).toBeLessThan(docker.calls.indexOf('start db'));
    expect(runtime.log).toContain(`Reaching services: job container job (${JOB.slice(0, 12)}) joined to shop_default; URLs name the services`);
    expect(JSON.parse(runtime.outputs.urls)).toEqual({ db: 'mysql://root:correct-horse-battery@db:3306', web: 'http://web:8080' });
    expect(runtime.env).toMatchObject({ DB_HOST: 'db', DB_PORT: '3306', WEB_URL: 'http://web:8080' });
    // `services` keeps the published form beside it.
    const web = (JSON.parse(runtime.outputs.services) as Record<string, { url: string; ports: { url: string }[] }>).web;
    expect(web.url).toBe('http://web:8080');
    expect(web.ports[0].url).toBe('http://localhost:18080');
    expect(state.joined).toEqual({ container: JOB, networks: ['shop_default'] });
  });

  it('in a container the engine does not know, reads ports inside the containers instead', async () => {
    const { runtime, state } = await inJob({ known: false, timeout: '0.5' });
    expect(runtime.log).toContain('Reaching services: container addresses where this machine is on their network, else through the engine');
    expect(state.joined).toBeUndefined();
    // 10.9.0.x is not on this container's networks: never probed there; the fake's exec cannot
    // read /proc/net/tcp, and the timeout says so.
    expect(runtime.failed).toContain('could not read /proc/net/tcp in shop-db-1');
  });
});

describe('main with a remote engine', () => {
  it('names the engine’s host in the URLs, reads ports inside the containers, and hands post the engine', async () => {
    const runtime = new FakeRuntime({ 'project-name': 'shop', 'stop-timeout': '0', 'docker-host': 'tcp://10.201.0.2:2375', timeout: '0.5' });
    const docker = new FakeDocker({ yaml: STACK, endpoint: 'tcp://10.201.0.2:2375', behaviour: { db: { listens: [3306] } }, images: { mariadb: {}, app: {} } });
    let envSeen: NodeJS.ProcessEnv = {};
    await onClock(
      run(
        fakeMainDependencies(runtime, docker, workspace(STACK), {
          docker: (env) => {
            envSeen = env;
            return docker;
          },
          env: { DOCKER_HOST: 'unix:///elsewhere.sock' },
        }),
      ),
    );
    docker.dispose();
    expect(envSeen.DOCKER_HOST).toBe('tcp://10.201.0.2:2375');
    expect(runtime.log).toContain('Reaching services: through the engine at tcp://10.201.0.2:2375');
    // Even an address on this machine's own network is not probed: it would be another machine's.
    expect(runtime.failed).toContain('could not read /proc/net/tcp in shop-db-1');
    expect(JSON.parse(runtime.outputs.services)).toMatchObject({ db: { ports: [{ url: 'mysql://root:correct-horse-battery@10.201.0.2:33060' }] } });
    expect(decodeState(runtime.state.run ?? '')?.dockerHost).toBe('tcp://10.201.0.2:2375');
  });
});
