import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  containerIds,
  containerOf,
  docker,
  expectFailure,
  expectIntact,
  FIXTURES,
  foreignProject,
  HarnessOptions,
  HarnessResult,
  httpGet,
  leftovers,
  PREVIEW_ACTION,
  projectName,
  removeProject,
  runAction,
  servicesOutput,
  urlsOutput,
} from '../helpers/engine';
import { FakeGitHub, startFakeGitHub } from '../helpers/github-api';

// PR preview stacks (the preview action: deploy / down / sweep) on the real engine, the GitHub API played by a
// server of the suite's own on 127.0.0.1. The harness runs as repository ephemeral-compose/harness,
// so a pull request's default project is harness-pr-<number>.

const REPOSITORY = 'ephemeral-compose/harness';
const WORKSPACE = path.join(FIXTURES, 'preview');
let github: FakeGitHub;
let events: string;
/** Projects a test deployed: removed after the file whatever happened (previews outlive their runs). */
const deployed = new Set<string>();

beforeAll(async () => {
  github = await startFakeGitHub(REPOSITORY);
  events = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-events-'));
});

afterAll(async () => {
  for (const p of deployed) removeProject(p);
  await github?.close();
  fs.rmSync(events, { recursive: true, force: true });
});

/** A pull request's number made unique to this process, so reruns and the two Compose legs never meet. */
const PR_BASE = (process.pid % 9000) * 100;
const prNumber = (n: number) => PR_BASE + n;

interface PreviewRun {
  pr?: number;
  command?: string;
  commit?: string;
  webVersion?: string;
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  cancel?: HarnessOptions['cancel'];
  /** Another directory (one without a compose file, for down). */
  workspace?: string;
}

/** The action as a pull_request workflow would run it for one pull request. */
function preview(run: PreviewRun): Promise<HarnessResult> {
  const env: Record<string, string> = { GITHUB_API_URL: github.url, WEB_VERSION: run.webVersion ?? '1', ...run.env };
  if (run.pr !== undefined) {
    const file = path.join(events, `pr-${run.pr}-${Math.random().toString(36).slice(2)}.json`);
    const sha = run.commit ?? 'a'.repeat(40);
    fs.writeFileSync(file, JSON.stringify({ number: run.pr, pull_request: { number: run.pr, head: { sha, ref: 'feature/preview' } } }));
    Object.assign(env, { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file, GITHUB_HEAD_REF: 'feature/preview', GITHUB_SHA: 'f'.repeat(40) });
    deployed.add(`harness-pr-${run.pr}`);
  }
  return runAction({
    actionDir: PREVIEW_ACTION,
    workspace: run.workspace ?? WORKSPACE,
    env,
    cancel: run.cancel,
    inputs: { command: run.command ?? 'deploy', ports: 'ephemeral', comment: 'true', 'github-token': github.token, 'stop-timeout': '1', ...run.inputs },
  });
}

/** A lock as another run left it: a never-started container with its holder and lease. */
function heldLock(name: string, run: string, leaseUntil: string): void {
  docker(
    'container',
    'create',
    '--name',
    name,
    '--label',
    `ephemeral-compose.run=${run}`,
    '--label',
    `ephemeral-compose.lease-until=${leaseUntil}`,
    'ephemeral-compose/lock:1',
    'x',
  );
}

const running = (id: string) => docker('inspect', '--format', '{{.State.Running}}', id) === 'true';
const webPage = async (result: HarnessResult) => (await httpGet(servicesOutput(result).web.ports[0].url as string)).body.trim();

describe('previews: deploy, update in place, down', () => {
  const pr11 = prNumber(11);
  const pr12 = prNumber(12);
  const p11 = `harness-pr-${pr11}`;
  const p12 = `harness-pr-${pr12}`;

  it('deploys two pull requests of a stack that pins host ports side by side, one comment each', async () => {
    // PR 11 also has a worker, which its next deploy drops.
    const withWorker = { 'compose-file': 'compose.yaml\nworker.yaml', 'wait-for': 'worker: none' };
    const [a, b] = [await preview({ pr: pr11, inputs: withWorker }), await preview({ pr: pr12 })];
    for (const [r, name] of [
      [a, p11],
      [b, p12],
    ] as const) {
      expect(r.main.errors).toEqual([]);
      expect(r.main.outputs['project-name']).toBe(name);
      expect(await webPage(r)).toBe('version 1');
      // Post prints and leaves: the preview outlives the job.
      expect(r.post?.output).toContain(`Preview ${name} stays up`);
      expect(running(containerOf(name, 'db'))).toBe(true);
      expect(running(containerOf(name, 'web'))).toBe(true);
    }
    // Host ports left to the engine: the two never collide, and the URLs name the ports chosen.
    const ports = [a, b].map((r) => servicesOutput(r).db.ports[0].published);
    expect(ports[0]).not.toBe(ports[1]);
    expect(ports).not.toContain(3306);
    expect(urlsOutput(a.main.outputs).db).toBe(`mysql://localhost:${ports[0]}`);
    for (const pr of [pr11, pr12]) {
      const comments = github.commentsOn(pr);
      expect(comments).toHaveLength(1);
      expect(comments[0].body).toContain(`<!-- ephemeral-compose preview: harness-pr-${pr} -->`);
      expect(comments[0].body).toContain(`Preview \`harness-pr-${pr}\` is ready`);
      expect(comments[0].body).toContain('commit `aaaaaaaaaaaa`');
      expect(comments[0].body).toMatch(/\| web \| ready \| http:\/\/localhost:\d+ \|/);
    }
    // Everything deployed carries the labels; the record the commit.
    expect(docker('inspect', '--format', '{{index .Config.Labels "ephemeral-compose.deployed"}} {{index .Config.Labels "ephemeral-compose.pr"}}', containerOf(p11, 'web'))).toBe(
      `${p11} ${pr11}`,
    );
    expect(docker('network', 'inspect', '--format', '{{index .Labels "ephemeral-compose.deployed"}}', `${p11}_default`)).toBe(p11);
    expect(docker('volume', 'inspect', '--format', '{{index .Labels "ephemeral-compose.deployed"}}', `${p11}_data`)).toBe(p11);
    expect(docker('volume', 'inspect', '--format', '{{index .Labels "ephemeral-compose.commit"}}', `${p11}_ephemeral-compose-record`)).toBe('a'.repeat(40));
  });

  it('updates a preview in place: the unchanged service keeps its container and data, the changed one serves the new version', async () => {
    const db = containerOf(p11, 'db');
    const web = containerOf(p11, 'web');
    docker('exec', db, 'sh', '-c', 'echo kept > /data/proof');
    const r = await preview({ pr: pr11, webVersion: '2', commit: 'b'.repeat(40) });
    expect(r.main.errors).toEqual([]);
    expect(r.main.output).toContain(`Updating project ${p11} in place`);
    expect(containerOf(p11, 'db')).toBe(db);
    expect(running(db)).toBe(true);
    expect(docker('exec', db, 'cat', '/data/proof')).toBe('kept');
    expect(containerOf(p11, 'web')).not.toBe(web);
    expect(await webPage(r)).toBe('version 2');
    // Gone from the files: removed as an orphan, with the run's stop grace (not v2's own 10 s).
    expect(containerIds(p11, 'worker')).toEqual([]);
    expect(r.main.output).toContain('Removing worker: no longer in the compose files.');
    // Compose's own 10 s grace would put the whole update above 14 s; without it the update takes
    // 5 to 9.5 s on a loaded two-core machine.
    expect(r.main.durationMs).toBeLessThan(14000);
    const comments = github.commentsOn(pr11);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('commit `bbbbbbbbbbbb`');
    expect(comments[0].body).toContain(servicesOutput(r).web.ports[0].url as string);
  });

  it('says so when a redeploy fails readiness, and the unchanged service runs on', async () => {
    const db = containerOf(p12, 'db');
    const r = await preview({ pr: pr12, webVersion: 'broken', commit: 'c'.repeat(40) });
    expectFailure(r, ['web']);
    expect(servicesOutput(r).web.state).toBe('failed');
    expect(servicesOutput(r).db.state).toBe('ready');
    expect(containerOf(p12, 'db')).toBe(db);
    expect(running(db)).toBe(true);
    const comments = github.commentsOn(pr12);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`Preview \`${p12}\` did not come up`);
    expect(comments[0].body).toContain('commit `cccccccccccc`');
    expect(comments[0].body).toContain('broken build');
    // A failed deploy is left for the author to look at, with its logs in post.
    expect(r.post?.output).toContain('broken build');
    expect(leftovers(p12).length).toBeGreaterThan(0);
  });

  it('removes exactly one preview with down, volumes too, and says so in the comment', async () => {
    const other = containerOf(p12, 'db');
    const r = await preview({ pr: pr11, command: 'down' });
    expect(r.main.errors).toEqual([]);
    // The one volume the files declare; the deploy record goes too, but is the action's, not counted.
    expect(r.main.output).toMatch(new RegExp(`Removed project ${p11}: 2 container\\(s\\), 1 network\\(s\\), 1 volume\\(s\\)`));
    expect(leftovers(p11)).toEqual([]);
    expect(running(other)).toBe(true);
    const comments = github.commentsOn(pr11);
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain(`Preview \`${p11}\` was removed`);
    expect(r.post?.output).toContain('command: down');
    // Already gone: a notice, not a failure.
    const again = await preview({ pr: pr11, command: 'down' });
    expect(again.main.outcome).toBe('success');
    expect(again.main.output).toContain(`::notice::Project ${p11} is already gone`);
    // down needs no compose file: run from a directory without one.
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-no-compose-'));
    const down12 = await preview({ pr: pr12, command: 'down', inputs: { logs: 'always' }, workspace: empty });
    fs.rmSync(empty, { recursive: true, force: true });
    expect(down12.main.errors).toEqual([]);
    // logs: always prints every service's logs before removing.
    expect(down12.main.output).toMatch(/::group::Logs of web/);
    expect(leftovers(p12)).toEqual([]);
  });
});

describe('previews: what they never touch', () => {
  it('refuses to remove or update a project this action did not deploy', async () => {
    const name = projectName('not-deployed');
    deployed.add(name);
    const foreign = foreignProject(name);
    const d = await preview({ command: 'down', inputs: { 'project-name': name } });
    expectFailure(d, [`Project '${name}' exists on this engine but was not deployed by this action`, 'does not remove it']);
    const u = await preview({ inputs: { 'project-name': name } });
    expectFailure(u, [`Project '${name}' exists on this engine but was not deployed by this action`, 'does not update it']);
    expectIntact(name, foreign);
  });

  it('sweeps previews whose ttl has passed or whose pull request is closed, and only those', async () => {
    const [expiring, lasting, forever, merged] = [prNumber(13), prNumber(14), prNumber(15), prNumber(16)];
    const foreignName = projectName('sweep-foreign');
    deployed.add(foreignName);
    const foreign = foreignProject(foreignName);
    expect((await preview({ pr: expiring, inputs: { ttl: '2s' } })).main.errors).toEqual([]);
    // Deployed with a short ttl, then again with a long one: each deploy sets the expiry anew.
    expect((await preview({ pr: lasting, inputs: { ttl: '2s' } })).main.errors).toEqual([]);
    expect((await preview({ pr: lasting, inputs: { ttl: '7d' } })).main.errors).toEqual([]);
    expect((await preview({ pr: forever })).main.errors).toEqual([]);
    // Merged while it had conflicts: no `closed` event, its down job never ran.
    expect((await preview({ pr: merged })).main.errors).toEqual([]);
    for (const pr of [lasting, forever]) github.pulls.set(pr, 'open');
    github.pulls.set(merged, 'merged');
    await new Promise((r) => setTimeout(r, 2500));
    const sweep = await runAction({
      actionDir: PREVIEW_ACTION,
      workspace: WORKSPACE,
      env: { GITHUB_API_URL: github.url },
      inputs: { command: 'sweep', 'stop-timeout': '1', 'github-token': github.token },
    });
    expect(sweep.main.errors).toEqual([]);
    const removed = JSON.parse(sweep.main.outputs.removed ?? '[]') as string[];
    expect(removed).toEqual(expect.arrayContaining([`harness-pr-${expiring}`, `harness-pr-${merged}`]));
    for (const pr of [lasting, forever]) expect(removed).not.toContain(`harness-pr-${pr}`);
    expect(sweep.main.output).toContain(`Project harness-pr-${expiring} expired at`);
    expect(sweep.main.output).toContain(`Project harness-pr-${merged}: pull request #${merged} is merged, removing it.`);
    // The expired one is not asked about; the live ones are, with the token given.
    expect(github.requests).toEqual(expect.arrayContaining([`GET /repos/${REPOSITORY}/pulls/${merged}`, `GET /repos/${REPOSITORY}/pulls/${lasting}`]));
    expect(github.requests).not.toContain(`GET /repos/${REPOSITORY}/pulls/${expiring}`);
    for (const pr of [expiring, merged]) expect(leftovers(`harness-pr-${pr}`)).toEqual([]);
    for (const pr of [lasting, forever]) expect(running(containerOf(`harness-pr-${pr}`, 'web'))).toBe(true);
    expectIntact(foreignName, foreign);
    // down itself is tested above; here the engine is only tidied.
    for (const pr of [lasting, forever]) removeProject(`harness-pr-${pr}`);
  });

  it('explains why ports: ephemeral cannot help a service on the host network', async () => {
    const name = projectName('host-net');
    deployed.add(name);
    const r = await preview({ inputs: { 'project-name': name, 'compose-file': 'host-network.yaml' } });
    expectFailure(r, ["ports: ephemeral cannot keep 'web' from colliding: it uses network_mode: host"]);
    expect(leftovers(name)).toEqual([]);
  });
});

describe('previews: one compose run per project at a time', () => {
  it('makes a second deploy of the same project wait for the first', async () => {
    const pr = prNumber(16);
    const [a, b] = await Promise.all([preview({ pr }), new Promise<HarnessResult>((r) => setTimeout(() => r(preview({ pr, webVersion: '2' })), 300))]);
    expect(a.main.errors).toEqual([]);
    expect(b.main.errors).toEqual([]);
    const waited = [a, b].filter((r) => r.main.output.includes(`Project harness-pr-${pr} is being changed by another run`));
    expect(waited).toHaveLength(1);
    // The one that waited ran compose only after the wait.
    const out = waited[0].main.output;
    expect(out.indexOf('is being changed by another run')).toBeLessThan(out.search(/^Compose \d/m));
    expect(github.commentsOn(pr)).toHaveLength(1);
    expect(docker('ps', '-a', '--format', '{{.Names}}').split('\n')).not.toContain(`harness-pr-${pr}-ephemeral-compose-lock`);
    removeProject(`harness-pr-${pr}`);
  });

  it('releases the lock of a deploy cancelled mid-way, and leaves what it deployed for down', async () => {
    const pr = prNumber(18);
    const r = await preview({ pr, cancel: { whenOutput: /^Level 0: starting db/m } });
    expect(r.main.outcome).toBe('cancelled');
    expect(r.post?.exitCode).toBe(0);
    expect(r.post?.output).toContain(`Preview harness-pr-${pr} stays up`);
    expect(docker('ps', '-aq', '--filter', `name=harness-pr-${pr}-ephemeral-compose-lock`)).toBe('');
    expect(leftovers(`harness-pr-${pr}`).length).toBeGreaterThan(0);
    const down = await preview({ pr, command: 'down' });
    expect(down.main.errors).toEqual([]);
    expect(leftovers(`harness-pr-${pr}`)).toEqual([]);
  });

  it('takes over the lock of a run that died holding it, once its lease is over', async () => {
    const pr = prNumber(19);
    const lock = `harness-pr-${pr}-ephemeral-compose-lock`;
    const ended = new Date(Date.now() - 60_000).toISOString();
    heldLock(lock, 'https://example.test/runs/dead', ended);
    try {
      const r = await preview({ pr });
      expect(r.main.errors).toEqual([]);
      expect(r.main.output).toContain(`Project harness-pr-${pr}'s lock was held by https://example.test/runs/dead until ${ended}, which has passed: taken over.`);
      expect(docker('ps', '-a', '-q', '--filter', `name=${lock}`)).toBe('');
      removeProject(`harness-pr-${pr}`);
    } finally {
      docker('rm', '-f', lock);
    }
  });

  it('waits for a lock whose lease is still running, and names when it ends', async () => {
    const pr = prNumber(20);
    const lock = `harness-pr-${pr}-ephemeral-compose-lock`;
    const until = new Date(Date.now() + 3_600_000).toISOString();
    heldLock(lock, 'https://example.test/runs/alive', until);
    try {
      const r = await preview({ pr, inputs: { timeout: '2' } });
      expectFailure(r, [`Project harness-pr-${pr} is still being changed by another run (https://example.test/runs/alive)`, `takes it over after ${until}`]);
      expect(docker('ps', '-a', '-q', '--filter', `name=${lock}`)).not.toBe('');
    } finally {
      docker('rm', '-f', lock);
    }
  });

  it('fails with the project and the holder when the lock is not released in time', async () => {
    const pr = prNumber(17);
    const lock = `harness-pr-${pr}-ephemeral-compose-lock`;
    docker('container', 'create', '--name', lock, '--label', 'ephemeral-compose.run=https://example.test/runs/1', 'ephemeral-compose/lock:1', 'x');
    try {
      const r = await preview({ pr, inputs: { timeout: '2' } });
      expectFailure(r, [`Project harness-pr-${pr} is still being changed by another run (https://example.test/runs/1)`, `docker rm ${lock}`]);
      expect(leftovers(`harness-pr-${pr}`)).toEqual([]);
      expect(docker('ps', '-a', '-q', '--filter', `name=${lock}`)).not.toBe('');
    } finally {
      docker('rm', '-f', lock);
    }
  });
});

describe('previews outside a pull request', () => {
  it('names the project after the branch, fills {branch}, and comments nowhere', async () => {
    const before = github.requests.length;
    const branch = `Feature/Sweep-${process.pid}`;
    const name = `harness-feature-sweep-${process.pid}`;
    deployed.add(name);
    const r = await preview({
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: branch },
      inputs: { 'url-template': 'https://{service}.{branch}.preview.example.com:{port}' },
    });
    expect(r.main.errors).toEqual([]);
    expect(r.main.outputs['project-name']).toBe(name);
    const web = servicesOutput(r).web.ports[0].published;
    expect(urlsOutput(r.main.outputs).web).toBe(`https://web.feature-sweep-${process.pid}.preview.example.com:${web}`);
    // Not HTTP: keeps its host:port URL.
    expect(urlsOutput(r.main.outputs).db).toMatch(/^mysql:\/\/localhost:\d+$/);
    expect(r.main.output).toContain('::notice::comment: true, but this run is not for a pull request (event push)');
    expect(github.requests.length).toBe(before);
    expect((await preview({ command: 'down', env: { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: branch } })).main.errors).toEqual([]);
    expect(leftovers(name)).toEqual([]);
  });
});

describe('ports: ephemeral in an ordinary job', () => {
  it('lets two jobs run the same pinned-port stack on one engine at once, each removed after', async () => {
    const names = [projectName('pinned-a'), projectName('pinned-b')];
    names.forEach((n) => deployed.add(n));
    // down-flags make post run compose itself, on the file the action wrote for it.
    const runs = await Promise.all(
      names.map((name) => runAction({ workspace: WORKSPACE, inputs: { 'project-name': name, ports: 'ephemeral', 'stop-timeout': '1', 'down-flags': '--rmi local' } })),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.main.errors).toEqual([]);
      expect(servicesOutput(r).web.ports[0].published).not.toBe(8080);
      expect(r.post?.output).toMatch(new RegExp(`Removed project ${names[i]}: 2 container\\(s\\), 1 network\\(s\\), 1 volume\\(s\\)`));
      expect(r.post?.warnings).toEqual([]);
      expect(leftovers(names[i])).toEqual([]);
    }
  });
});
