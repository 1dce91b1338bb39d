import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../../src/action/main';
import { PullRequestState } from '../../../src/previews/pull-request-state';
import { PullRequestComments } from '../../../src/previews/pr-comment';
import { decodeState, RunState } from '../../../src/action/state';
import { recordLabels } from '../../../src/previews/deploy-record';
import { fakeMainDependencies, FakeDocker } from '../../helpers/fake-docker';
import { FakeRuntime } from '../../helpers/fake-runtime';

// The preview action's deploy, down and sweep over an in-memory engine, with the pull request's comments recorded:
// the order of what main does, what it leaves for post, and what it says. The real engine and a
// GitHub API of the suite's own are in __tests__/e2e/previews.test.ts.

const STACK = `services:
  db:
    image: mariadb
    ports: [{target: 3306, published: "3306", protocol: tcp}]
  web:
    image: app
    depends_on: [db]
    ports: [{target: 8080, published: "8080", protocol: tcp}]
`;

const PR_EVENT = { number: 9, pull_request: { number: 9, head: { sha: 'cafe1234cafe1234', ref: 'feat' } } };
const ENV = {
  GITHUB_REPOSITORY: 'acme/Shop',
  GITHUB_EVENT_NAME: 'pull_request',
  GITHUB_SERVER_URL: 'https://gh.example',
  GITHUB_RUN_ID: '77',
  GITHUB_API_URL: 'https://gh.example/api/v3',
};

class RecordingComments implements PullRequestComments {
  readonly calls: { pr: number; marker: string; body: string; token: string; repository: string; apiUrl?: string }[] = [];
  failWith?: string;
  factory = (token: string, repository: string, apiUrl: string | undefined): PullRequestComments => ({
    upsert: async (pr, marker, body) => {
      if (this.failWith) throw new Error(this.failWith);
      this.calls.push({ pr, marker, body, token, repository, apiUrl });
      return this.calls.length === 1 ? 'created' : 'updated';
    },
  });
  upsert = (): Promise<'created'> => Promise.reject(new Error('use factory'));
}

function workspace(): string {
  const dir = tempDir('ec-preview-');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  return dir;
}

async function runMode(
  inputs: Record<string, string>,
  options: { env?: NodeJS.ProcessEnv; event?: unknown; docker?: FakeDocker; comments?: RecordingComments; now?: Date; pulls?: Record<number, PullRequestState> } = {},
) {
  const runtime = new FakeRuntime({ 'stop-timeout': '0', 'github-token': 'ghs_secret_token', ...inputs });
  const docker = options.docker ?? new FakeDocker({ yaml: STACK, behaviour: { db: { listens: [3306] }, web: { listens: [8080] } }, images: { mariadb: {}, app: {} } });
  const comments = options.comments ?? new RecordingComments();
  const dir = workspace();
  const asked: string[] = [];
  await run(
    fakeMainDependencies(runtime, docker, dir, {
      env: { ...ENV, RUNNER_TEMP: dir, ...options.env },
      eventPayload: () => options.event ?? PR_EVENT,
      comments: comments.factory,
      pullRequests: (token, repository, apiUrl) => ({
        state: async (pr) => {
          asked.push(`${repository}#${pr} ${token} ${apiUrl}`);
          const state = options.pulls?.[pr];
          if (!state) throw Object.assign(new Error('Not Found'), { status: 404 });
          return state;
        },
      }),
      now: () => options.now ?? new Date('2026-03-01T12:00:00Z'),
    }),
    'preview',
  );
  docker.dispose();
  return { runtime, docker, comments, state: decodeState(runtime.state.run ?? '') as RunState, dir, asked };
}

describe('command: deploy', () => {
  it('deploys under the pull request’s name and a lock, records commit and expiry, leaves it up, comments once', async () => {
    const { runtime, docker, comments, state, dir } = await runMode({
      command: 'deploy',
      ports: 'ephemeral',
      ttl: '7d',
      comment: 'true',
      'url-template': 'https://{service}.pr-{pr}.example.com',
    });
    expect(runtime.failed).toBeUndefined();
    expect(runtime.outputs['project-name']).toBe('shop-pr-9');
    const order = docker.calls.filter((c) => /^(lock|resources|volume create|create|start|labels|rm)/.test(c));
    expect(order[0]).toBe('lock shop-pr-9-ephemeral-compose-lock');
    expect(order).toContain('volume create shop-pr-9_ephemeral-compose-record');
    expect(order.indexOf('volume create shop-pr-9_ephemeral-compose-record')).toBeLessThan(order.indexOf('create db web'));
    // Released at the end: the lock is gone and post is told nothing is held.
    expect(docker.locks.size).toBe(0);
    expect(state.lock).toBeUndefined();
    expect(docker.volumeLabels.get('shop-pr-9_ephemeral-compose-record')).toMatchObject({
      'ephemeral-compose.commit': 'cafe1234cafe1234',
      'ephemeral-compose.pr': '9',
      'ephemeral-compose.expires': '2026-03-08T12:00:00.000Z',
      'ephemeral-compose.run': 'https://gh.example/acme/Shop/actions/runs/77',
    });
    // Compose reads the file the action wrote: host ports left to the engine, labels on everything.
    expect(state.project.files).toHaveLength(1);
    expect(path.dirname(state.project.files[0])).toBe(dir);
    const written = fs.readFileSync(state.project.files[0], 'utf8');
    expect(written).toContain('- 3306/tcp');
    expect(written).toContain('ephemeral-compose.deployed: shop-pr-9');
    expect(state).toMatchObject({ mode: 'deploy', outcome: 'success' });
    expect((JSON.parse(runtime.outputs.urls) as Record<string, string>).web).toBe('https://web.pr-9.example.com');
    expect(comments.calls).toHaveLength(1);
    expect(comments.calls[0]).toMatchObject({
      pr: 9,
      marker: '<!-- ephemeral-compose preview: shop-pr-9 -->',
      token: 'ghs_secret_token',
      repository: 'acme/Shop',
      apiUrl: 'https://gh.example/api/v3',
    });
    expect(comments.calls[0].body).toContain('| web | ready | https://web.pr-9.example.com |');
    expect(comments.calls[0].body).toContain('expires 2026-03-08T12:00:00.000Z');
    expect(runtime.secrets).toContain('ghs_secret_token');
  });

  it('comments nowhere outside a pull request, and names the project after the branch', async () => {
    const { runtime, comments } = await runMode({ command: 'deploy', comment: 'true' }, { env: { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'main' }, event: {} });
    expect(runtime.failed).toBeUndefined();
    expect(runtime.outputs['project-name']).toBe('shop-main');
    expect(comments.calls).toEqual([]);
    expect(runtime.notices).toEqual(['comment: true, but this run is not for a pull request (event push): no comment written.']);
  });

  it('makes a failure to comment a warning, without the token', async () => {
    const comments = new RecordingComments();
    comments.failWith = 'HttpError: Resource not accessible by integration (token ghs_secret_token)';
    const { runtime } = await runMode({ command: 'deploy', comment: 'true' }, { comments });
    expect(runtime.failed).toBeUndefined();
    expect(runtime.warnings).toEqual(['Could not comment on pull request #9: HttpError: Resource not accessible by integration (token ***)']);
  });

  it('refuses {pr} in url-template outside a pull request before anything is created', async () => {
    const { runtime, docker } = await runMode(
      { command: 'deploy', 'url-template': 'https://pr-{pr}.x' },
      { env: { GITHUB_EVENT_NAME: 'push', GITHUB_REF_NAME: 'main' }, event: {} },
    );
    expect(runtime.failed).toBe("Input 'url-template' uses {pr}, but this run is not for a pull request (event push): use {branch} or {project} instead.");
    expect(docker.calls).toEqual([]);
  });

  it('fails with the holder when another run keeps the lock, and creates nothing', async () => {
    const docker = new FakeDocker({ yaml: STACK, images: { mariadb: {}, app: {} } });
    await docker.createLock('shop-pr-9-ephemeral-compose-lock', { 'ephemeral-compose.run': 'https://gh.example/acme/Shop/actions/runs/1' });
    const { runtime, state } = await runMode({ command: 'deploy', timeout: '0.05' }, { docker });
    expect(runtime.failed).toContain('Project shop-pr-9 is still being changed by another run (https://gh.example/acme/Shop/actions/runs/1)');
    expect(runtime.failed).toContain('docker rm shop-pr-9-ephemeral-compose-lock');
    expect(runtime.lines).toContain('Project shop-pr-9 is being changed by another run (https://gh.example/acme/Shop/actions/runs/1): waiting for it.');
    expect(docker.calls.some((c) => c.startsWith('create'))).toBe(false);
    expect(docker.locks.size).toBe(1);
    expect(state.lock).toBeUndefined();
  });

  it('needs a command: without one it fails before anything is created, naming the choices', async () => {
    const { runtime, docker } = await runMode({ 'project-name': 'shop', ttl: '1h' });
    expect(runtime.failed).toBe("Input 'command' must be one of deploy, down, sweep; got ''.");
    expect(docker.calls.filter((c) => /^(create|lock|start) /.test(c))).toEqual([]);
  });
});

describe('command: down and sweep', () => {
  it('down of a project that is gone is a notice, and the comment says it was removed', async () => {
    const { runtime, comments, state } = await runMode({ command: 'down', comment: 'true' });
    expect(runtime.failed).toBeUndefined();
    expect(runtime.notices).toEqual(['Project shop-pr-9 is already gone: nothing labelled com.docker.compose.project=shop-pr-9 is on the engine.']);
    expect(comments.calls[0].body).toContain('### Preview `shop-pr-9` was removed');
    expect(state).toMatchObject({ mode: 'down', outcome: 'success' });
    expect(runtime.summaries).toEqual(['### Ephemeral Compose: `shop-pr-9`\n\nAlready gone: nothing of it was on the engine.\n']);
  });

  it('sweep removes the expired records’ projects and those whose pull request is closed, and lists them', async () => {
    const docker = new FakeDocker({ yaml: STACK });
    const target = { branch: 'b', commit: 'c', repository: 'acme/shop', event: 'pull_request' };
    const deployedAt = new Date('2026-03-01T00:00:00Z');
    const month = 86400 * 30;
    await docker.createVolume('old_ephemeral-compose-record', recordLabels('old', { ...target, pr: 1 }, deployedAt, 60));
    await docker.createVolume('merged_ephemeral-compose-record', recordLabels('merged', { ...target, pr: 2 }, deployedAt, month));
    await docker.createVolume('open_ephemeral-compose-record', recordLabels('open', { ...target, pr: 3 }, deployedAt, month));
    await docker.createVolume('elsewhere_ephemeral-compose-record', recordLabels('elsewhere', { ...target, repository: 'acme/other', pr: 4 }, deployedAt));
    await docker.createVolume('unknown_ephemeral-compose-record', recordLabels('unknown', { ...target, pr: 5 }, deployedAt));
    await docker.createVolume('forever_ephemeral-compose-record', recordLabels('forever', target, deployedAt));
    const { runtime, asked } = await runMode({ command: 'sweep' }, { docker, pulls: { 1: 'closed', 2: 'merged', 3: 'open' } });
    expect(runtime.failed).toBeUndefined();
    expect(JSON.parse(runtime.outputs.removed)).toEqual(['old', 'merged']);
    expect([...docker.volumeLabels.keys()].sort()).toEqual(['elsewhere', 'forever', 'open', 'unknown'].map((p) => `${p}_ephemeral-compose-record`));
    // Only live previews of this repository's pull requests are asked about, with the job's token.
    expect(asked.sort()).toEqual([
      'acme/Shop#2 ghs_secret_token https://gh.example/api/v3',
      'acme/Shop#3 ghs_secret_token https://gh.example/api/v3',
      'acme/Shop#5 ghs_secret_token https://gh.example/api/v3',
    ]);
    expect(runtime.lines).toContain('Project old expired at 2026-03-01T00:01:00.000Z (pull request #1): removing it.');
    expect(runtime.lines).toContain('Project merged: pull request #2 is merged, removing it.');
    expect(runtime.warnings).toEqual([
      "Could not read pull request #5 of acme/Shop (the token needs 'pull-requests: read' in the job's permissions): Not Found. Its preview unknown is left.",
    ]);
    expect(runtime.lines).toContain('Sweep: removed 2 project(s): old (#1), merged (#2); 4 deployed project(s) left.');
    expect(docker.locks.size).toBe(0);
    expect(runtime.summaries[0]).toContain('| old | #1 | expired at 2026-03-01T00:01:00.000Z |');
    expect(runtime.summaries[0]).toContain('| merged | #2 | pull request \\#2 is merged |');
  });

  it('sweep without a token says it did not look for closed pull requests', async () => {
    const docker = new FakeDocker({ yaml: STACK });
    await docker.createVolume(
      'merged_ephemeral-compose-record',
      recordLabels('merged', { branch: 'b', commit: 'c', repository: 'acme/Shop', event: 'pull_request', pr: 2 }, new Date()),
    );
    const { runtime, asked } = await runMode({ command: 'sweep', 'github-token': '' }, { docker, pulls: { 2: 'merged' } });
    expect(runtime.failed).toBeUndefined();
    expect(asked).toEqual([]);
    expect(runtime.lines).toContain("Sweep: no 'github-token', so previews of closed pull requests were not looked for; only expired ones are removed.");
    expect(docker.volumeLabels.has('merged_ephemeral-compose-record')).toBe(true);
  });
});
