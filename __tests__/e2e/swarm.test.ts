import * as path from 'path';
import * as fs from 'fs';
import * as os from 'os';
import { FIXTURES, httpGet, PREVIEW_ACTION, projectName, runAction, servicesOutput, sleep, urlsOutput } from '../helpers/engine';
import { FakeGitHub, startFakeGitHub } from '../helpers/github-api';
import { startSwarm, SwarmBed } from '../helpers/swarm-bed';
import { HarnessOptions } from '../../harness/run-action';

// `engine: swarm` on a real three-node swarm (User-Mode Linux nodes with IPVS: the ingress mesh
// and VIPs as on any swarm): the founding shape in order, one-shots as jobs, placement on a worker,
// failures named at once, and nothing left after post.

const SWARM = path.join(FIXTURES, 'swarm');
const REPOSITORY = 'ephemeral-compose/harness';
let bed: SwarmBed;

beforeAll(() => {
  const slot = Number(process.env.EC_ENGINE_SLOTS_FROM ?? '0') + Number(process.env.JEST_WORKER_ID ?? '1');
  bed = startSwarm(`w${slot}`, slot);
}, 240_000);

let github: FakeGitHub;
let events: string;

beforeAll(async () => {
  github = await startFakeGitHub(REPOSITORY);
  events = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-swarm-events-'));
});

afterAll(async () => {
  bed?.stop();
  await github?.close();
  if (events) fs.rmSync(events, { recursive: true, force: true });
});

// Cases share the swarm, and a new stack's overlay may get the subnet of one just removed. The
// manager forgets a removed network first; a worker that still holds it rejects the new stack's
// tasks ("Pool overlaps with other one on this address space"). Each case begins once every node
// has let go of the stacks' networks.
beforeEach(async () => {
  for (let n = 1; n <= bed.nodes.length; n++) {
    for (let i = 0; i < 120 && bed.dockerOn(n, 'network', 'ls', '-q', '--filter', 'label=com.docker.stack.namespace').trim() !== ''; i++) await sleep(500);
  }
}, 240_000);

/** Everything that carries the stack's label on the swarm. */
function onSwarm(stack: string): string[] {
  const filter = `label=com.docker.stack.namespace=${stack}`;
  return ['service', 'network', 'config', 'secret'].flatMap((kind) =>
    bed
      .docker(kind, 'ls', '--filter', filter, '--format', '{{.Name}}')
      .split('\n')
      .filter(Boolean)
      .map((n) => `${kind} ${n}`),
  );
}

/** Every task the stack ever had, as `docker stack ps` keeps them: service, state word, error. */
function taskHistory(stack: string): { service: string; state: string; error: string }[] {
  return bed
    .docker('stack', 'ps', '--no-trunc', '--format', '{{.Name}}|{{.CurrentState}}|{{.Error}}', stack)
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, state, error] = l.split('|');
      return { service: name.replace(/^[\\_\s]+/, '').replace(/\.[^.]+$/, ''), state: state.split(' ')[0], error };
    });
}

function swarmRun(stack: string, inputs: Record<string, string>, between?: HarnessOptions['between'], onMainOutput?: HarnessOptions['onMainOutput']) {
  return runAction({
    workspace: SWARM,
    inputs: { engine: 'swarm', 'project-name': stack, timeout: '120', ...inputs },
    env: { DOCKER_HOST: bed.dockerHost },
    between,
    onMainOutput,
  });
}

describe('engine: swarm', () => {
  it('deploys the founding shape level by level: no dependent ever fails, its URLs answer through the mesh, post leaves nothing', async () => {
    const stack = projectName('swfound');
    let tasks: ReturnType<typeof taskHistory> = [];
    let web = { status: 0, body: '' };
    const result = await runAction({
      workspace: path.join(FIXTURES, 'founding'),
      inputs: { engine: 'swarm', 'project-name': stack, timeout: '120' },
      env: { DOCKER_HOST: bed.dockerHost },
      between: async ({ outputs }) => {
        tasks = taskHistory(stack);
        web = await httpGet(`${urlsOutput(outputs).webserver}/health`);
      },
    });
    expect(result.main.errors).toEqual([]);
    expect(result.main.output).toMatch(/Level 0: deploying db/);
    expect(result.main.output).toMatch(/Level 1: deploying webserver, scheduler, myapp|Level 1: deploying myapp, scheduler, webserver/);
    const services = servicesOutput(result);
    expect(services.db).toMatchObject({ state: 'ready', readiness: 'listening' });
    expect(services.webserver).toMatchObject({ state: 'ready', readiness: 'listening' });
    expect(services.scheduler).toMatchObject({ state: 'ready', readiness: 'running' });
    expect(services.myapp).toMatchObject({ state: 'ready', readiness: 'running' });
    // Each service one task, never failed (a dependent started before db listens exits 11-13).
    expect(tasks.filter((t) => t.state !== 'Running')).toEqual([]);
    expect(tasks.map((t) => t.service).sort()).toEqual(['db', 'myapp', 'scheduler', 'webserver'].map((s) => `${stack}_${s}`));
    // Ingress-published at the manager's address, answered by the task through the mesh.
    expect(urlsOutput(result.main.outputs).webserver).toMatch(new RegExp(`^http://${bed.manager.replace(/\./g, '\\.')}:\\d+$`));
    expect(web).toEqual({ status: 200, body: 'ok\n' });
    expect(result.post?.warnings).toEqual([]);
    expect(result.post?.output).toMatch(/Stack \S+ removed: its services, networks, configs and secrets are gone/);
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);

  it('runs a one-shot once as a job before what needs it, and reaches a service placed on a worker through the manager', async () => {
    const stack = projectName('swjobs');
    let tasks: ReturnType<typeof taskHistory> = [];
    let page = { status: 0, body: '' };
    const result = await swarmRun(stack, { 'compose-file': 'one-shots.yaml' }, async ({ outputs }) => {
      tasks = taskHistory(stack);
      page = await httpGet(urlsOutput(outputs).app);
    });
    expect(result.main.errors).toEqual([]);
    const services = servicesOutput(result);
    expect(services.migrate).toMatchObject({ readiness: 'completed' });
    expect(services.app).toMatchObject({ readiness: 'listening', nodes: ['node2'] });
    expect(tasks.filter((t) => t.service === `${stack}_migrate`)).toEqual([{ service: `${stack}_migrate`, state: 'Complete', error: '' }]);
    expect(page).toEqual({ status: 200, body: 'placed\n' });
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);

  it("fails on a one-shot's non-zero exit with the task's error and its output; what needs it is never deployed; post removes the rest", async () => {
    const stack = projectName('swfail');
    const result = await swarmRun(stack, { 'compose-file': 'failing-job.yaml' });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toMatch(/Service migrate failed on Swarm: task \S+_migrate\.\w+ on node node\d failed: task: non-zero exit \(3\)/);
    expect(result.main.errors.join('\n')).toContain('schema version 7 not found');
    expect(result.main.output).not.toMatch(/Level 1: deploying app/);
    expect(result.post?.output).toMatch(/Stack \S+ removed/);
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);

  it("fails at once on a task no node can take, with the scheduler's reason", async () => {
    const stack = projectName('swplace');
    const started = Date.now();
    const result = await swarmRun(stack, { 'compose-file': 'unschedulable.yaml', timeout: '100' });
    expect(result.main.errors.join('\n')).toMatch(
      /Service db failed on Swarm: task \S+_db\.1 cannot be placed: no suitable node \(scheduling constraints not satisfied on 3 nodes\)/,
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);

  it('refuses before deploying anything: a build-only service, a worker instead of a manager, an engine in no swarm', async () => {
    const build = await swarmRun(projectName('swbuild'), { 'compose-file': 'build-only.yaml' });
    expect(build.main.errors.join('\n')).toContain('service app has a build: section and no image: Swarm builds nothing');
    const worker = await runAction({
      workspace: SWARM,
      inputs: { engine: 'swarm', 'compose-file': 'one-shots.yaml' },
      env: { DOCKER_HOST: `tcp://${bed.nodes[1]}:2375` },
    });
    expect(worker.main.errors.join('\n')).toContain(`Input 'engine' is swarm, but the engine at tcp://${bed.nodes[1]}:2375 is a worker of its swarm, not a manager`);
    // The machine's own engine is in no swarm (and is never made one here).
    const single = await runAction({ workspace: SWARM, inputs: { engine: 'swarm', 'compose-file': 'one-shots.yaml' } });
    expect(single.main.errors.join('\n')).toMatch(/Input 'engine' is swarm, but the local engine is not part of a swarm \(its swarm state: inactive\)/);
    expect(bed.docker('stack', 'ls', '--format', '{{.Name}}').trim()).toBe('');
    // A stack of the run's name that someone else deployed: not deployed into, and post leaves it.
    const theirs = projectName('swtheirs');
    const file = path.join(events, 'theirs.yaml');
    fs.writeFileSync(file, 'version: "3.8"\nservices:\n  app:\n    image: ephemeral-compose-test/busybox\n    command: ["sleep", "3600"]\n');
    bed.docker('stack', 'deploy', '--detach=true', '-c', file, theirs);
    try {
      const taken = await swarmRun(theirs, { 'compose-file': 'one-shots.yaml' });
      expect(taken.main.errors.join('\n')).toContain(
        `Stack '${theirs}' is already on the swarm (service ${theirs}_app, network ${theirs}_default), and this run did not deploy it.`,
      );
      expect(taken.post?.output).toContain('stopped before creating anything');
      expect(onSwarm(theirs).sort()).toEqual([`network ${theirs}_default`, `service ${theirs}_app`]);
    } finally {
      bed.docker('stack', 'rm', theirs);
    }
  }, 240_000);

  it('reaches a dnsrr service through its host-mode port at the node that runs it, and its dependents by name', async () => {
    const stack = projectName('swdnsrr');
    let page = { status: 0, body: '' };
    // client is judged by its log line (docker service logs), api by an HTTP probe through its host-mode port.
    const result = await swarmRun(stack, { 'compose-file': 'dnsrr.yaml', 'wait-for': 'api: http://:8080/ status=200\nclient: log:/fetched from api/' }, async ({ outputs }) => {
      page = await httpGet(urlsOutput(outputs).api);
    });
    expect(result.main.errors).toEqual([]);
    const services = servicesOutput(result);
    expect(services.api).toMatchObject({ readiness: 'http', nodes: ['node3'], url: `http://${bed.nodes[2]}:18080` });
    expect(services.client).toMatchObject({ readiness: 'log' });
    expect(page).toEqual({ status: 200, body: 'dnsrr\n' });
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);

  it('cancelled while a level waits: post removes everything deployed so far', async () => {
    const stack = projectName('swcancel');
    const result = await runAction({
      workspace: path.join(FIXTURES, 'founding'),
      inputs: { engine: 'swarm', 'project-name': stack, timeout: '120' },
      env: { DOCKER_HOST: bed.dockerHost },
      // db is up and level 1 on its way: some of the stack exists, not all.
      cancel: { whenOutput: /db ready/ },
    });
    // The line the cancel waits for (the output shows why, where main ended before it).
    expect(result.main.output).toMatch(/db ready/);
    expect(result.main.cancelled).toBe(true);
    expect(result.post?.output).toMatch(/Removing stack \S+ from the swarm \(docker stack rm\)/);
    expect(result.post?.output).toMatch(/Stack \S+ removed: its services, networks, configs and secrets are gone/);
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);

  it('fails over when the node of a task is drained during the wait: the task is placed again and the service judged there', async () => {
    const stack = projectName('swdrain');
    let drained = '';
    const drain = async () => {
      // The first task's node, once Swarm has placed it; then that node is drained.
      for (let i = 0; i < 100 && !drained; i++) {
        let node = '';
        try {
          node = bed.docker('service', 'ps', '--format', '{{.Node}}', '--filter', 'desired-state=running', `${stack}_web`).trim();
        } catch {
          // Not deployed yet.
        }
        if (node) {
          bed.docker('node', 'update', '--availability', 'drain', node);
          drained = node;
        } else await sleep(100);
      }
    };
    let draining: Promise<void> | undefined;
    try {
      const result = await swarmRun(stack, { 'compose-file': 'drain.yaml' }, undefined, (out) => {
        if (!draining && /Level 0: deploying web/.test(out)) draining = drain();
      });
      await draining;
      expect(result.main.errors).toEqual([]);
      expect(drained).toMatch(/^node[23]$/);
      const services = servicesOutput(result);
      expect(services.web).toMatchObject({ nodes: [drained === 'node2' ? 'node3' : 'node2'] });
      expect(result.main.output).toMatch(/web ready \(listening\) on node[23]/);
    } finally {
      if (drained) bed.docker('node', 'update', '--availability', 'active', drained);
    }
    expect(onSwarm(stack)).toEqual([]);
  }, 240_000);
});

/** The preview action on the swarm, as a pull_request workflow runs it for one pull request. */
function swarmPreview(pr: number, command: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}, between?: HarnessOptions['between']) {
  const file = path.join(events, `pr-${pr}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ number: pr, pull_request: { number: pr, head: { sha: 'a'.repeat(40), ref: 'feature/swarm' } } }));
  return runAction({
    actionDir: PREVIEW_ACTION,
    workspace: SWARM,
    inputs: { engine: 'swarm', command, 'compose-file': 'preview.yaml', timeout: '120', comment: 'true', 'github-token': github.token, ...inputs },
    env: {
      DOCKER_HOST: bed.dockerHost,
      GITHUB_API_URL: github.url,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: file,
      GITHUB_HEAD_REF: 'feature/swarm',
      ...env,
    },
    between,
  });
}

/** The ids of a service's tasks that should be running now. */
const runningTasks = (service: string) => bed.docker('service', 'ps', '-q', '--filter', 'desired-state=running', service).trim().split('\n').filter(Boolean);

describe('previews on the swarm (the preview action with engine: swarm)', () => {
  // A pull request's number of this process's own, so the stacks of reruns never meet.
  const pr = (process.pid % 9000) * 10 + 1;
  const stack = `harness-pr-${pr}`;

  it('deploys, updates in place (unchanged tasks kept, the changed one replaced, the job run again, an orphan removed), then down removes it all', async () => {
    const first = await swarmPreview(pr, 'deploy', { profiles: 'extra', ports: 'ephemeral', ttl: '1h', 'url-template': 'https://{service}.pr-{pr}.preview.test' });
    expect(first.main.errors).toEqual([]);
    expect(first.main.output).toContain(`Deploying stack ${stack} (new).`);
    const services = servicesOutput(first);
    // ports: ephemeral: Swarm chose db's published port, not the file's 15432.
    expect(services.db.ports[0]).toMatchObject({ target: 5432, mode: 'ingress' });
    expect(services.db.ports[0].published).not.toBe(15432);
    // url-template names web's public URL; its published port still answers from the runner.
    expect(urlsOutput(first.main.outputs).web).toBe(`https://web.pr-${pr}.preview.test`);
    expect((await httpGet(services.web.ports[0].url as string)).body).toBe('web 1\n');
    // The job summary: each service's verdict and where it runs.
    expect(first.main.summary).toContain(`### Ephemeral Compose: \`${stack}\` on Swarm`);
    expect(first.main.summary).toMatch(/\| db \| listening \| [\d.]+ s \| node\d \| \w+:\/\/[\d.]+:\d+ \|/);
    // export-env as on one engine: where the runner reaches each service's first published port.
    expect(first.main.env).toMatchObject({ DB_PORT: String(services.db.ports[0].published), DB_HOST: bed.manager, WEB_URL: `https://web.pr-${pr}.preview.test` });
    expect(first.post?.output).toContain(`Preview ${stack} stays up on the swarm (command: down removes it).`);
    expect(bed.docker('config', 'ls', '--format', '{{.Name}}')).not.toContain('ephemeral-compose-lock');
    expect(onSwarm(stack).sort()).toEqual(
      expect.arrayContaining([`config ${stack}_ephemeral-compose-record`, ...['db', 'migrate', 'web', 'worker'].map((s) => `service ${stack}_${s}`)]),
    );
    expect(github.commentsOn(pr)[0].body).toContain(`### Preview \`${stack}\` is ready`);
    const [db1] = runningTasks(`${stack}_db`);
    const [web1] = runningTasks(`${stack}_web`);

    // Looked at the moment main ends: web is ready only once its new task serves the new version.
    let atReady = { web: '', webTasks: [] as string[] };
    const second = await swarmPreview(pr, 'deploy', { ports: 'ephemeral', ttl: '1h' }, { WEB_VERSION: '2' }, async ({ outputs }) => {
      const url = (JSON.parse(outputs.services) as Record<string, { ports: { url?: string }[] }>).web.ports[0].url as string;
      atReady = { web: (await httpGet(url).catch((e: Error) => ({ body: e.message }))).body, webTasks: runningTasks(`${stack}_web`) };
    });
    expect(second.main.errors).toEqual([]);
    expect(second.main.output).toContain(`Updating stack ${stack} in place`);
    expect(second.main.output).toContain('Removing worker: no longer in the compose files.');
    expect(second.main.output).toContain('unchanged, keeping their tasks: db');
    expect(second.main.output).toContain('changed, waiting for new tasks: web');
    const after = servicesOutput(second);
    // The same db task; a new web task serving the new version; the job ran once more.
    expect(runningTasks(`${stack}_db`)).toEqual([db1]);
    expect(atReady.web).toBe('web 2\n');
    expect(atReady.webTasks).not.toContain(web1);
    expect(after.db.ports[0].published).toBe(services.db.ports[0].published);
    expect((await httpGet(after.web.ports[0].url as string)).body).toBe('web 2\n');
    expect(taskHistory(stack).filter((t) => t.service === `${stack}_migrate` && t.state === 'Complete')).toHaveLength(2);
    // Judged on its new run (2 s), not on the first deploy's completed task.
    expect(after.migrate.readySeconds).toBeGreaterThanOrEqual(2);
    expect(onSwarm(stack)).not.toContain(`service ${stack}_worker`);
    expect(github.commentsOn(pr)).toHaveLength(1);

    const down = await swarmPreview(pr, 'down', { logs: 'always' });
    expect(down.main.errors).toEqual([]);
    expect(down.main.output).toMatch(/Logs of web \(docker service logs\)/);
    expect(down.main.output).toMatch(/Stack \S+ removed: its services, networks, configs and secrets are gone/);
    expect(onSwarm(stack)).toEqual([]);
    expect(github.commentsOn(pr)[0].body).toContain('was removed');
    const again = await swarmPreview(pr, 'down');
    expect(again.main.output).toContain(`::notice::Stack ${stack} is already gone: nothing of it is on the swarm.`);
  }, 400_000);

  it('sweep removes an expired preview stack; deploy and down refuse a stack the action did not deploy', async () => {
    const expiring = projectName('swsweep');
    const deployed = await swarmPreview(pr + 1, 'deploy', { 'project-name': expiring, ttl: '1s', ports: 'ephemeral' });
    expect(deployed.main.errors).toEqual([]);
    await sleep(1500);
    const sweep = await swarmPreview(pr + 1, 'sweep');
    expect(sweep.main.errors).toEqual([]);
    expect(JSON.parse(sweep.main.outputs.removed)).toEqual([expiring]);
    expect(onSwarm(expiring)).toEqual([]);

    // A stack someone deployed by hand under the name a preview would take.
    const foreign = projectName('swforeign');
    const file = path.join(events, 'foreign.yaml');
    fs.writeFileSync(file, 'version: "3.8"\nservices:\n  app:\n    image: ephemeral-compose-test/busybox\n    command: ["sleep", "3600"]\n');
    bed.docker('stack', 'deploy', '--detach=true', '-c', file, foreign);
    try {
      const update = await swarmPreview(pr + 2, 'deploy', { 'project-name': foreign });
      expect(update.main.errors.join('\n')).toContain(
        `Stack '${foreign}' is on the swarm but was not deployed by this action (service ${foreign}_app without the label ephemeral-compose.deployed), so it does not update it.`,
      );
      const down = await swarmPreview(pr + 2, 'down', { 'project-name': foreign });
      expect(down.main.errors.join('\n')).toContain('so it does not remove it');
      expect(onSwarm(foreign)).toContain(`service ${foreign}_app`);
    } finally {
      bed.docker('stack', 'rm', foreign);
    }
  }, 400_000);
});
