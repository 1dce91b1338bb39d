import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FIXTURES,
  HarnessOptions,
  HarnessResult,
  httpGet,
  leftovers,
  PREVIEW_ACTION,
  projectFilter,
  projectsRemovedAfterEach,
  removeProject,
  runAction,
  servicesOutput,
  urlsOutput,
} from '../helpers/engine';
import { RemoteEngine, RemoteSsh, startRemoteEngine } from '../helpers/remote-engine';

// The action driving an engine on another host (here: a second dockerd in a network namespace of
// its own, see helpers/remote-engine.ts). Container addresses there are never probed; ports are
// read inside the containers, and the URLs name the engine's host.

const project = projectsRemovedAfterEach();
let remote: RemoteEngine;
let ssh: RemoteSsh;

beforeAll(async () => {
  remote = await startRemoteEngine(['ephemeral-compose-test/busybox']);
  ssh = await remote.startSsh();
  remote.docker('build', '-q', '-t', 'ephemeral-compose-test/verdicts-bare', '-f', path.join(FIXTURES, 'verdicts', 'Dockerfile.bare'), path.join(FIXTURES, 'verdicts'));
}, 120_000);

afterAll(() => remote?.stop());

/** What carries the project's label on the remote engine. */
function remoteLeftovers(name: string): string[] {
  return leftovers(name, remote.dockerHost);
}

/** Projects a test ran on the remote engine: removed there after it, whatever it asserted. */
const onRemoteEngine: string[] = [];
afterEach(() => {
  for (const name of onRemoteEngine.splice(0)) removeProject(name, remote.dockerHost);
});

/** Runs the action on a fixture with DOCKER_HOST naming the remote engine. */
function onRemote(name: string, fixture: string, inputs: Record<string, string> = {}, options: Omit<HarnessOptions, 'inputs' | 'workspace'> = {}): Promise<HarnessResult> {
  onRemoteEngine.push(name);
  return runAction({
    workspace: path.join(FIXTURES, fixture),
    env: { DOCKER_HOST: remote.dockerHost },
    ...options,
    inputs: { 'project-name': name, 'stop-timeout': '0', ...inputs },
  });
}

describe('a remote engine (tcp)', () => {
  it('brings the founding shape up: ports read inside the containers, URLs on the engine’s host', async () => {
    const name = project('remote-founding');
    let webPage = '';
    const result = await onRemote(
      name,
      'founding',
      {},
      {
        between: async ({ outputs }) => {
          // A later step on the runner reaches the service where the URL says.
          webPage = (await httpGet(`${urlsOutput(outputs).webserver}/health`)).body;
        },
      },
    );
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    expect(result.main.output).toContain(`Reaching services: through the engine at ${remote.dockerHost} (ports read inside each container)`);
    expect(result.main.output).toMatch(/db +listening +[\d.]+s +\(port 3306, read inside the container\)/);
    const services = servicesOutput(result);
    for (const s of ['db', 'webserver', 'scheduler', 'myapp']) expect(services[s].state).toBe('ready');
    // The port opened 3 s after start, behind the remote userland proxy: not reported before.
    expect(services.db.readySeconds).toBeGreaterThanOrEqual(3);
    const urls = urlsOutput(result.main.outputs);
    expect(urls.webserver).toMatch(new RegExp(`^http://${remote.host.replace(/\./g, '\\.')}:\\d+$`));
    expect(urls.db).toMatch(new RegExp(`^mysql://${remote.host.replace(/\./g, '\\.')}:\\d+$`));
    expect(webPage.trim()).toBe('ok');
    expect(result.main.output).not.toMatch(/cannot reach db/);
    expect(result.post?.exitCode).toBe(0);
    expect(remoteLeftovers(name)).toEqual([]);
    expect(leftovers(name)).toEqual([]);
  });

  it('takes the engine from the docker-host input, and post removes the stack there', async () => {
    const name = project('remote-input');
    onRemoteEngine.push(name);
    const result = await runAction({ workspace: path.join(FIXTURES, 'founding'), inputs: { 'project-name': name, 'stop-timeout': '0', 'docker-host': remote.dockerHost } });
    expect(result.main.outcome).toBe('success');
    expect(JSON.parse(result.main.state.run ?? '{}')).toMatchObject({ dockerHost: remote.dockerHost });
    expect(result.post?.output).toMatch(/Removed project .*: 4 container\(s\), 1 network\(s\)/);
    expect(remoteLeftovers(name)).toEqual([]);
    expect(leftovers(name)).toEqual([]);
  });

  it('leaves nothing on either engine after a cancel', async () => {
    const name = project('remote-cancel');
    const result = await onRemote(name, 'founding', {}, { cancel: { whenOutput: /^Level 0: starting db/m } });
    expect(result.main.outcome).toBe('cancelled');
    expect(result.post?.exitCode).toBe(0);
    expect(remoteLeftovers(name)).toEqual([]);
    expect(leftovers(name)).toEqual([]);
  });

  it('fails a service whose image has no shell or cat, saying what to use instead', async () => {
    const name = project('remote-bare');
    const result = await onRemote(name, 'remote', { 'compose-file': 'bare.yaml', 'stop-timeout': '0' });
    expect(result.main.outcome).toBe('failure');
    const message = result.main.errors.join('\n');
    expect(message).toContain("the image has no 'cat' or 'sh' to read /proc/net/tcp inside it");
    expect(message).toContain('give the service a healthcheck, or a wait-for line');
    expect(remoteLeftovers(name)).toEqual([]);
  });

  it('runs every probe kind there', async () => {
    const name = project('remote-probes');
    const waitFor = ['web: http://:8080/api/health', 'db: tcp:5432', 'worker: log:/ready to accept/', 'job: exit:3', 'cache: none', 'app: running'].join('\n');
    const result = await onRemote(name, 'probes', { 'wait-for': waitFor });
    expect(result.main.errors).toEqual([]);
    const s = servicesOutput(result);
    expect(s.web).toMatchObject({ state: 'ready', readiness: 'responding' });
    expect(s.db).toMatchObject({ state: 'ready', readiness: 'listening' });
    expect(s.worker).toMatchObject({ state: 'ready', readiness: 'log matched' });
    expect(s.job).toMatchObject({ state: 'completed' });
    // The healthcheck is run actively through the engine: ready in seconds, not at its 30 s interval
    // (the bound leaves room for a loaded machine: the suite runs in parallel workers).
    expect(s.slowcheck).toMatchObject({ state: 'ready', readiness: 'healthy' });
    expect(s.slowcheck.readySeconds).toBeLessThan(10);
    expect(remoteLeftovers(name)).toEqual([]);
  });

  it('finds the engine through a Docker context, and the host input still names the URLs', async () => {
    const name = project('remote-context');
    onRemoteEngine.push(name);
    // A config directory of the test's own, with the CLI's plugins (Compose v2) where there are some.
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-context-'));
    const plugins = path.join(process.env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'cli-plugins');
    if (fs.existsSync(plugins)) fs.symlinkSync(plugins, path.join(config, 'cli-plugins'));
    execFileSync('docker', ['--config', config, 'context', 'create', 'preview-host', '--docker', `host=${remote.dockerHost}`], { stdio: 'ignore' });
    try {
      const result = await runAction({
        workspace: path.join(FIXTURES, 'founding'),
        env: { DOCKER_CONFIG: config, DOCKER_CONTEXT: 'preview-host' },
        inputs: { 'project-name': name, 'stop-timeout': '0', 'url-host': 'preview.example.test' },
      });
      expect(result.main.errors).toEqual([]);
      expect(result.main.output).toContain(`Reaching services: through the engine at ${remote.dockerHost}`);
      expect(urlsOutput(result.main.outputs).webserver).toMatch(/^http:\/\/preview\.example\.test:\d+$/);
      expect(remoteLeftovers(name)).toEqual([]);
      expect(leftovers(name)).toEqual([]);
    } finally {
      fs.rmSync(config, { recursive: true, force: true });
    }
  });

  it('judges such an image through its published port, not fooled by the proxy before it listens', async () => {
    const name = project('remote-bare-published');
    const result = await onRemote(name, 'remote', { 'compose-file': 'bare-published.yaml', 'stop-timeout': '0' });
    expect(result.main.errors).toEqual([]);
    expect(result.main.output).toMatch(new RegExp(`bare +listening +[\\d.]+s +\\(port 4444, through the published port ${remote.host.replace(/\./g, '\\.')}:\\d+\\)`));
    expect(servicesOutput(result).bare.readySeconds).toBeGreaterThanOrEqual(2);
    expect(remoteLeftovers(name)).toEqual([]);
  });

  it('sends an HTTP probe through the published port', async () => {
    const name = project('remote-http');
    const result = await onRemote(name, 'founding', { 'wait-for': 'webserver: http://:8080/health' });
    expect(result.main.errors).toEqual([]);
    expect(result.main.output).toMatch(/webserver +responding +[\d.]+s +\(through the published port /);
    expect(remoteLeftovers(name)).toEqual([]);
  });

  it('fails within 10 s, naming an engine that does not answer', async () => {
    const name = project('remote-gone');
    const started = Date.now();
    // An address in the range this side routes unreachable: the connection fails here, at once.
    const result = await runAction({ workspace: path.join(FIXTURES, 'founding'), inputs: { 'project-name': name, 'docker-host': 'tcp://10.203.255.1:2375' } });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toContain('The Docker daemon at tcp://10.203.255.1:2375 did not answer.');
    expect(Date.now() - started).toBeLessThan(12_000);
  });

  it('deploys a preview there, updates it in place, and down removes it from that engine only', async () => {
    const name = project('remote-preview');
    onRemoteEngine.push(name);
    const env = { DOCKER_HOST: remote.dockerHost };
    const deploy = (version: string) =>
      runAction({
        actionDir: PREVIEW_ACTION,
        workspace: path.join(FIXTURES, 'preview'),
        env: { ...env, WEB_VERSION: version },
        inputs: { command: 'deploy', 'project-name': name, ports: 'ephemeral', 'stop-timeout': '1' },
      });
    const dbOf = () => remote.docker('ps', '-q', '--filter', projectFilter(name), '--filter', 'label=com.docker.compose.service=db');
    const first = await deploy('1');
    expect(first.main.errors).toEqual([]);
    const web = servicesOutput(first).web.ports[0].url as string;
    expect(web).toMatch(new RegExp(`^http://${remote.host.replace(/\./g, '\\.')}:\\d+$`));
    expect((await httpGet(web)).body.trim()).toBe('version 1');
    const db = dbOf();
    const second = await deploy('2');
    expect(second.main.errors).toEqual([]);
    expect(second.main.output).toContain(`Updating project ${name} in place`);
    expect(dbOf()).toBe(db);
    expect((await httpGet(servicesOutput(second).web.ports[0].url as string)).body.trim()).toBe('version 2');
    expect(remoteLeftovers(name).length).toBeGreaterThan(0);
    const down = await runAction({
      actionDir: PREVIEW_ACTION,
      workspace: path.join(FIXTURES, 'preview'),
      env,
      inputs: { command: 'down', 'project-name': name, 'stop-timeout': '1' },
    });
    expect(down.main.errors).toEqual([]);
    // The one volume the files declare; the deploy record goes too, but is the action's, not counted.
    expect(down.main.output).toMatch(new RegExp(`Removed project ${name}: 2 container\\(s\\), 1 network\\(s\\), 1 volume\\(s\\)`));
    expect(remoteLeftovers(name)).toEqual([]);
    expect(remote.docker('ps', '-aq', '--filter', `name=${name}-ephemeral-compose-lock`)).toBe('');
    expect(leftovers(name)).toEqual([]);
  });
});

describe('a remote engine over ssh', () => {
  it('brings the founding shape up, and post removes it there', async () => {
    const name = project('remote-ssh');
    onRemoteEngine.push(name);
    const result = await runAction({
      workspace: path.join(FIXTURES, 'founding'),
      env: ssh.env,
      inputs: { 'project-name': name, 'stop-timeout': '0', 'docker-host': ssh.dockerHost },
    });
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    expect(result.main.output).toContain(`Reaching services: through the engine at ${ssh.dockerHost}`);
    expect(urlsOutput(result.main.outputs).webserver).toMatch(new RegExp(`^http://${remote.host.replace(/\./g, '\\.')}:\\d+$`));
    expect(result.post?.exitCode).toBe(0);
    expect(remoteLeftovers(name)).toEqual([]);
    expect(leftovers(name)).toEqual([]);
  });

  it('says so when the host is not in known_hosts, or refuses the key, instead of hanging', async () => {
    for (const [env, said] of [
      [ssh.unknownHostEnv, 'Host key verification failed'],
      [ssh.refusedKeyEnv, 'Permission denied (publickey'],
    ] as const) {
      const started = Date.now();
      const result = await runAction({ workspace: path.join(FIXTURES, 'founding'), env, inputs: { 'project-name': project('remote-ssh-refused'), 'docker-host': ssh.dockerHost } });
      expect(result.main.outcome).toBe('failure');
      const message = result.main.errors.join('\n');
      expect(message).toContain(`The Docker daemon at ${ssh.dockerHost} did not answer. ssh said '${said}'`);
      expect(Date.now() - started).toBeLessThan(12_000);
    }
  });
});

describe('stacks of dead runs (on the engine of this file: no other test’s run reaps them first)', () => {
  const idle = (name: string, inputs: Record<string, string>, options: Omit<HarnessOptions, 'inputs' | 'workspace'> = {}) => {
    onRemoteEngine.push(name);
    return runAction({
      workspace: path.join(FIXTURES, 'remote'),
      ...options,
      env: { DOCKER_HOST: remote.dockerHost, GITHUB_SERVER_URL: 'https://github.com' },
      inputs: { 'project-name': name, 'compose-file': 'idle.yaml', 'stop-timeout': '0', ...inputs },
    });
  };

  it('are removed by the next run once their lifetime is over, by one of two runs at once; a live run’s stack and a foreign one are left', async () => {
    const [dead, live, foreign, next] = [project('reap-dead'), project('reap-live'), project('reap-foreign'), project('reap-next')];
    onRemoteEngine.push(foreign);
    remote.docker('run', '-d', '--label', `com.docker.compose.project=${foreign}`, 'ephemeral-compose-test/busybox', 'sleep', '3600');
    // A job whose runner was lost after main: its stack is up, its lifetime (6 h) is not over.
    const liveRun = await idle(live, {}, { runnerLost: {} });
    expect(liveRun.main.outcome).toBe('success');
    expect(liveRun.post).toBeNull();
    // A job killed (SIGKILL) while its stack starts, with a lifetime of 3 s.
    const deadRun = await idle(dead, { 'max-lifetime': '3s' }, { runnerLost: { whenOutput: /^Level 0: starting idle/m } });
    const killedAt = Date.now();
    expect(deadRun.main.signal).toBe('SIGKILL');
    expect(remoteLeftovers(dead).length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 3500 - Date.now())));

    // Two runs at once, each reaping: one removes it, the other leaves it to that one.
    const [nextRun, sweepRun] = await Promise.all([idle(next, {}), idle('sweep', { command: 'sweep' }, { actionDir: PREVIEW_ACTION })]);
    expect(nextRun.main.errors).toEqual([]);
    expect(sweepRun.main.errors).toEqual([]);
    const said = (r: HarnessResult) =>
      r.main.output.split('\n').filter((l) => l.includes(`Project ${dead} was left by https://github.com/ephemeral-compose/harness/actions/runs/`) && l.endsWith(': removing it.'));
    expect([...said(nextRun), ...said(sweepRun)]).toHaveLength(1);
    const reaper = said(nextRun).length === 1 ? nextRun : sweepRun;
    expect(reaper.main.output).toContain(`Removed project ${dead}: 1 container(s), 1 network(s), 0 volume(s).`);
    if (reaper === sweepRun) expect(sweepRun.main.summary).toContain(`Stacks of dead runs removed: ${dead}`);
    expect(remoteLeftovers(dead)).toEqual([]);
    expect(remote.docker('ps', '-aq', '--filter', `name=${dead}-ephemeral-compose-lock`).trim()).toBe('');
    // The live run's stack (with its record) and the foreign container are untouched.
    expect(remoteLeftovers(live)).toHaveLength(3);
    expect(remoteLeftovers(foreign)).toHaveLength(1);
    expect(remoteLeftovers(next)).toEqual([]);
  });
});
