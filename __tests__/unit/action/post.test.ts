import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { run as runMain } from '../../../src/action/main';
import { run as runPost } from '../../../src/action/post';
import { ArtifactUploader } from '../../../src/action/logs-artifact';
import { encodeState, RunState } from '../../../src/action/state';
import { fakeMainDependencies, FakeDocker, FakeService } from '../../helpers/fake-docker';
import { FakeRuntime } from '../../helpers/fake-runtime';

// The post step over an in-memory engine: it removes only what this run created, prints logs as
// asked, and reports services that died after main.

const STACK = `name: shop
services:
  db: {image: mariadb, environment: {MYSQL_PASSWORD: s3cret-value}}
  web: {image: app, depends_on: {db: {condition: service_started}}, ports: [{target: 8080, published: "18080", protocol: tcp}]}
`;

/** Uploads as the artifact service would take them: each file's path in the archive and content. */
class RecordingArtifacts implements ArtifactUploader {
  readonly uploads: { name: string; files: Record<string, string> }[] = [];
  fail?: string;
  async upload(name: string, files: string[], root: string) {
    if (this.fail) throw new Error(this.fail);
    this.uploads.push({ name, files: Object.fromEntries(files.map((f) => [path.relative(root, f), fs.readFileSync(f, 'utf8')])) });
    return { id: 42, size: 1234 };
  }
}

async function mainThenPost(
  inputs: Record<string, string>,
  behaviour: Record<string, FakeService> = {},
  between?: (docker: FakeDocker) => void,
  artifacts = new RecordingArtifacts(),
) {
  const dir = tempDir('ec-post-');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  // db is judged by running; post's tests need no 3 s settle window (readiness has its own tests).
  const runtime = new FakeRuntime({ 'project-name': 'shop', 'stop-timeout': '0', 'wait-for': 'db: running 50ms', ...inputs });
  const docker = new FakeDocker({ yaml: STACK, behaviour: { web: { listens: [8080] }, ...behaviour } });
  const env = { RUNNER_TEMP: dir, GITHUB_REPOSITORY: 'acme/shop', GITHUB_RUN_ID: '7' };
  await runMain(fakeMainDependencies(runtime, docker, dir, { env }), inputs.command ? 'preview' : 'stack');
  between?.(docker);
  const post = new FakeRuntime();
  Object.assign(post.state, runtime.state);
  await runPost({ runtime: post, docker: () => docker, env, artifacts });
  docker.dispose();
  return { main: runtime, post, docker, artifacts, dir };
}

describe('post', () => {
  it('uploads every container’s log, compose’s configuration and the readiness report as one artifact, secrets hidden, after removal', async () => {
    const logs = 'starting\npassword is s3cret-value\nready';
    const { main, post, docker, artifacts, dir } = await mainThenPost({ 'logs-artifact': 'stack-logs' }, { db: { logs }, web: { listens: [8080], logs: 'web up' } });
    expect(main.failed).toBeUndefined();
    expect(artifacts.uploads).toHaveLength(1);
    const { name, files } = artifacts.uploads[0];
    expect(name).toBe('stack-logs');
    expect(Object.keys(files).sort()).toEqual(['compose-config.yaml', 'logs/db--shop-db-1.log', 'logs/web--shop-web-1.log', 'readiness.json']);
    expect(files['logs/db--shop-db-1.log']).toBe(['starting', 'password is ***', 'ready'].map((l) => `2026-01-01T00:00:00.000000000Z stdout ${l}`).join('\n') + '\n');
    expect(files['compose-config.yaml']).toContain('MYSQL_PASSWORD: ***');
    expect(files['compose-config.yaml']).not.toContain('s3cret-value');
    expect((JSON.parse(files['readiness.json']) as { services: Record<string, unknown> }).services.web).toMatchObject({ state: 'ready' });
    // Collected before the stack went, uploaded after: removal does not wait for the upload.
    const calls = docker.calls.filter((c) => c.startsWith('logs --all') || c.startsWith('rm '));
    expect(calls).toEqual(['logs --all db', 'logs --all web', 'rm 2']);
    expect(post.log).toContain("Uploaded the logs artifact 'stack-logs': 4 file(s), 2 KiB zipped: https://github.com/acme/shop/actions/runs/7/artifacts/42");
    expect(post.summaries.join('\n')).toContain('[stack-logs](https://github.com/acme/shop/actions/runs/7/artifacts/42)');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('ephemeral-compose-artifact'))).toEqual([]);
  });

  it('uploads after a failed start too, and a failed upload is a warning', async () => {
    const artifacts = new RecordingArtifacts();
    artifacts.fail = 'artifact service down';
    const { main, post } = await mainThenPost({ 'logs-artifact': 'stack-logs' }, { db: { exitAfterMs: 5, exitCode: 1, logs: 'boom' } }, undefined, artifacts);
    expect(main.failed).toContain("Service 'db' failed");
    expect(post.warnings).toContain("Could not upload the logs artifact 'stack-logs': artifact service down");
    expect(post.failed).toBeUndefined();
    const ok = new RecordingArtifacts();
    await mainThenPost({ 'logs-artifact': 'stack-logs' }, { db: { exitAfterMs: 5, exitCode: 1, logs: 'boom' } }, undefined, ok);
    expect(ok.uploads[0].files['logs/db--shop-db-1.log']).toContain('stdout boom');
  });

  it('removes the stack main created, and prints no logs after a success', async () => {
    const { main, post, docker } = await mainThenPost({});
    expect(main.failed).toBeUndefined();
    expect(docker.containers.size).toBe(0);
    expect(docker.networks).toEqual([]);
    expect(post.log).toContain('Removed project shop: 2 container(s), 1 network(s), 0 volume(s).');
    expect(docker.calls.some((c) => c.startsWith('logs'))).toBe(false);
    expect(post.failed).toBeUndefined();
  });

  it('prints every service log after a failure, masking the secrets first', async () => {
    const { main, post, docker } = await mainThenPost({}, { db: { exitAfterMs: 5, exitCode: 1 } });
    expect(main.failed).toContain("Service 'db' failed");
    expect(docker.calls.filter((c) => c.startsWith('logs'))).toEqual(['logs db', 'logs web']);
    expect(post.secrets).toContain('s3cret-value');
    expect(docker.containers.size).toBe(0);
  });

  it('leaves a deployed preview up, whatever teardown says', async () => {
    const { post, docker } = await mainThenPost({ command: 'deploy', teardown: 'always' });
    expect(post.log).toContain('Preview shop stays up (command: down removes it).');
    expect(docker.containers.size).toBe(2);
  });

  it('releases a project lock main was cut off holding, and only its own', async () => {
    const docker = new FakeDocker({ yaml: STACK });
    await docker.createLock('shop-ephemeral-compose-lock', { 'ephemeral-compose.lock-token': 'mine' });
    await docker.createLock('other-ephemeral-compose-lock', { 'ephemeral-compose.lock-token': 'theirs' });
    const state = (name: string, token: string): RunState => ({
      project: { name: 'shop', workingDirectory: '.', files: [], envFiles: [], profiles: [] },
      post: { teardown: 'always', logs: 'never', logLines: 10, stopTimeoutSeconds: 0, downFlags: [], failOnExit: false, logsArtifact: '' },
      mode: 'down',
      lock: { name, token },
    });
    for (const [name, token] of [
      ['shop-ephemeral-compose-lock', 'mine'],
      ['other-ephemeral-compose-lock', 'not-theirs'],
    ]) {
      const post = new FakeRuntime();
      post.state.run = encodeState(state(name, token));
      await runPost({ runtime: post, docker: () => docker, env: {} });
      expect(post.log).toContain('command: down: the main step did all there is to do.');
    }
    expect([...docker.locks.keys()]).toEqual(['other-ephemeral-compose-lock']);
  });

  it('leaves the stack up with teardown: never', async () => {
    const { post, docker } = await mainThenPost({ teardown: 'never' });
    expect(post.log).toContain('teardown: never, so project shop stays up.');
    expect(docker.containers.size).toBe(2);
  });

  it('reports a service that exited after main, and fails with fail-on-exit', async () => {
    const { post } = await mainThenPost({ 'fail-on-exit': 'true' }, { web: { listens: [8080], logs: 'panic: gone' } }, (docker) => {
      const web = [...docker.containers.values()].find((c) => c.service === 'web');
      Object.assign(web ?? {}, { status: 'exited', exitCode: 3, finishedAt: Date.now() });
    });
    expect(post.errors.join('\n')).toContain('web exited after the main step');
    expect(post.errors.join('\n')).toContain('panic: gone');
    expect(post.failed).toContain('1 service(s) exited after the main step found them ready: web (fail-on-exit: true).');
    expect(post.summaries.join('')).toContain('web');
  });

  it('warns with the removal command when it cannot list the project', async () => {
    const dir = tempDir('ec-post-');
    const state: RunState = {
      mode: 'ephemeral',
      project: { name: 'shop', workingDirectory: dir, files: [], envFiles: [], profiles: [] },
      post: { teardown: 'always', logs: 'never', logLines: 10, stopTimeoutSeconds: 0, downFlags: [], failOnExit: false, logsArtifact: '' },
      creationStarted: true,
      outcome: 'success',
    };
    const post = new FakeRuntime();
    post.state.run = encodeState(state);
    const docker = new FakeDocker({ yaml: STACK, failing: { containerIds: 'Cannot connect to the Docker daemon' } });
    await runPost({ runtime: post, docker: () => docker, env: {} });
    expect(post.warnings.join('\n')).toContain('Could not list what project shop holds on the engine (Cannot connect to the Docker daemon)');
    expect(post.warnings.join('\n')).toContain('label=com.docker.compose.project=shop');
  });

  it('touches nothing without state, or when main stopped before creating anything', async () => {
    const docker = new FakeDocker({ yaml: STACK, existing: { containers: ['shop-db-1'] } });
    const none = new FakeRuntime();
    await runPost({ runtime: none, docker: () => docker, env: {} });
    expect(none.log).toContain('saved no state');
    const early = new FakeRuntime();
    early.state.run = encodeState({
      mode: 'ephemeral',
      project: { name: 'shop', workingDirectory: '.', files: [], envFiles: [], profiles: [] },
      post: { teardown: 'always', logs: 'always', logLines: 5, stopTimeoutSeconds: 0, downFlags: [], failOnExit: false, logsArtifact: '' },
    });
    await runPost({ runtime: early, docker: () => docker, env: {} });
    expect(early.log).toContain('The main step stopped before creating anything, so project shop is not touched.');
    expect(docker.calls).toEqual([]);
  });
});

describe('post after a container job', () => {
  it('detaches the job container before removing the networks, also when the stack stays', async () => {
    for (const teardown of ['always', 'never']) {
      const docker = new FakeDocker({ yaml: STACK });
      docker.networks.push('shop_default');
      await docker.networkConnect('shop_default', 'job');
      const post = new FakeRuntime();
      post.state.run = encodeState({
        mode: 'ephemeral',
        project: { name: 'shop', workingDirectory: '.', files: [], envFiles: [], profiles: [] },
        post: { teardown: teardown as 'always' | 'never', logs: 'never', logLines: 5, stopTimeoutSeconds: 0, downFlags: [], failOnExit: false, logsArtifact: '' },
        creationStarted: true,
        outcome: 'success',
        joined: { container: 'job', networks: ['shop_default'] },
      });
      await runPost({ runtime: post, docker: () => docker, env: {} });
      expect(docker.attached.get('shop_default')).toEqual([]);
      expect(post.warnings).toEqual([]);
      expect(docker.networks).toEqual(teardown === 'always' ? [] : ['shop_default']);
    }
  });
});
