import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { RemoteEngine, startRemoteEngine } from '../helpers/remote-engine';
import { startFakeArtifactService } from '../helpers/artifact-service';
import {
  docker,
  expectCancelledAndClean,
  expectServiceFailed,
  FIXTURES,
  HarnessResult,
  httpGet,
  sleep,
  leftovers,
  projectsRemovedAfterEach,
  runAction,
  servicesOutput,
} from '../helpers/engine';

// Faults during a run, on the real engine through the runner-faithful harness: cancellation at
// several moments, the daemon going away, two runs at once, and services with huge output.
// After each, nothing labelled with the project may remain.

const project = projectsRemovedAfterEach();

describe('cancelled main step', () => {
  it('while compose resolves the configuration', async () => {
    const name = project('cancel-config');
    // Compose v2 answers `config` in ~60 ms; a wrapper that takes 5 s first makes "during config"
    // certain, and its `sleep` must go with it (the whole process group is ended).
    const slowCompose = `sh -c "sleep 5; exec docker compose \\"\\$@\\"" slow-compose`;
    const result = await runAction({
      workspace: path.join(FIXTURES, 'slow'),
      inputs: { 'project-name': name, 'stop-timeout': '0', 'compose-command': slowCompose },
      cancel: { whenOutput: /^Project /m },
    });
    expectCancelledAndClean(result, name);
    expect(result.main.output).not.toContain('Start order');
    expect(result.main.durationMs).toBeLessThan(4000);
    // pgrep exits 1 when no process matches: the wrapper's shell and sleep are gone.
    expect(spawnSync('pgrep', ['-f', 'sleep 5; exec docker compose']).status).toBe(1);
  });

  it('while an image builds, and the build stops too', async () => {
    const name = project('cancel-build');
    const result = await runAction({
      workspace: path.join(FIXTURES, 'slow-build'),
      inputs: { 'project-name': name, build: 'true', 'stop-timeout': '0' },
      cancel: { whenOutput: /RUN sleep 60/ },
    });
    expectCancelledAndClean(result, name);
    expect(result.main.durationMs).toBeLessThan(20000);
    // The builder's container for `RUN sleep 60` goes with the client that asked for it, running
    // or stopped (it has no project label, so only its command tells it apart). The daemon stops
    // it with its own 10 s grace (sleep as PID 1 ignores SIGTERM), so this may take that long.
    let building = '';
    for (let i = 0; i < 150; i++) {
      building = docker('ps', '-a', '--no-trunc', '--format', '{{.Names}} {{.Command}}')
        .split('\n')
        // Not the `sleep 600` of other tests' services (they may run in parallel).
        .filter((c) => /\bsleep 60\b/.test(c))
        .join('\n');
      if (!building) break;
      await sleep(200);
    }
    expect(building).toBe('');
    expect(docker('image', 'ls', '-q', 'ephemeral-compose-test/slow-build:never-finished')).toBe('');
  });

  it('after some services are ready, while a later level waits', async () => {
    const name = project('cancel-level');
    const result = await runAction({
      workspace: path.join(FIXTURES, 'chain'),
      inputs: { 'project-name': name, 'stop-timeout': '0', 'wait-for': 'web: http://:8080/never' },
      cancel: { whenOutput: /Level 2: starting web/ },
    });
    expectCancelledAndClean(result, name);
    expect(result.main.output).toMatch(/db\s+listening/);
  });
});

describe('the engine during a run', () => {
  // A daemon of the test's own (helpers/remote-engine.ts), stopped and started by its PID: the
  // machine's engine is never touched.
  let engine: RemoteEngine;
  beforeAll(async () => {
    engine = await startRemoteEngine(['ephemeral-compose-test/busybox']);
  }, 120_000);
  afterAll(() => engine?.stop());
  const onEngine = (name: string): string[] => leftovers(name, engine.dockerHost);

  it('a daemon restarted during the wait fails the step with a clear message; post cleans up once it is back', async () => {
    const name = project('daemon');
    let stopping: Promise<void> | undefined;
    const result = await runAction({
      workspace: path.join(FIXTURES, 'slow'),
      inputs: { 'project-name': name, 'stop-timeout': '0', 'docker-host': engine.dockerHost },
      onMainOutput: (out) => {
        if (!stopping && /Level 0: starting db/.test(out)) stopping = engine.stopDaemon();
      },
      beforePost: async () => {
        await stopping;
        await engine.startDaemon();
      },
    });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toMatch(/Lost the Docker engine while the stack was starting|did not answer|Cannot connect to the Docker daemon/);
    expect(result.post?.exitCode).toBe(0);
    expect(onEngine(name)).toEqual([]);
  });

  it('gone before post: post warns what may be left and how to remove it, never "Removed ... 0"', async () => {
    const name = project('nolook');
    try {
      const result = await runAction({
        workspace: path.join(FIXTURES, 'chain'),
        inputs: { 'project-name': name, 'stop-timeout': '0', logs: 'never', 'docker-host': engine.dockerHost },
        env: { DB_DELAY: '0' },
        beforePost: () => engine.stopDaemon(),
      });
      expect(result.main.outcome).toBe('success');
      expect(result.post?.exitCode).toBe(0);
      const warning = result.post?.warnings.join('\n') ?? '';
      expect(warning).toContain(`Could not list what project ${name} holds on the engine`);
      expect(warning).toContain('may be left');
      expect(warning).toContain(`docker rm -f -v $(docker ps -aq --filter label=com.docker.compose.project=${name})`);
      expect(result.post?.output).not.toContain('Removed project');
    } finally {
      await engine.startDaemon();
    }
    // The stack is still there (stopped with the daemon): exactly what the warning said.
    expect(onEngine(name).length).toBeGreaterThan(0);
    engine.docker('compose', '-p', name, 'down', '-v', '-t', '0');
  });
});

describe('cancelled post step', () => {
  it('ends its docker calls at once and says what may be left', async () => {
    const name = project('cancel-post');
    // nc and httpd as PID 1 ignore SIGTERM: `docker stop -t 30` would hold post for 30 s.
    const result = await runAction({
      workspace: path.join(FIXTURES, 'chain'),
      inputs: { 'project-name': name, 'compose-file': 'compose.yaml\nignores-sigterm.yaml', 'stop-timeout': '30', logs: 'never' },
      env: { DB_DELAY: '0' },
      // Well inside its 30 s of stopping, and late enough that a busy machine has started post's
      // Node process and its signal handlers (a SIGINT before them ends it with the default action).
      postCancel: { afterMs: 3000 },
    });
    expect(result.main.outcome).toBe('success');
    expect(result.post?.cancelled).toBe(true);
    expect(result.post?.durationMs).toBeLessThan(8000);
    expect(result.post?.output).toContain('Received SIGINT: stopping the post step.');
    expect(result.post?.warnings.join('\n')).toContain(`The post step was cancelled: project ${name} may be partly left. Remove it with: docker rm -f -v`);
    // Its children went with it: no `docker stop` of this project is still running.
    await sleep(500);
    expect(
      execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.startsWith('docker stop')),
    ).toEqual([]);
  });
});

describe('two runs at once on one engine', () => {
  it('get distinct default project names and never touch each other', async () => {
    const workspace = path.join(FIXTURES, 'chain');
    // Two legs of one matrix job on two self-hosted runners sharing the engine.
    const actions = { GITHUB_RUN_ID: `${process.pid}`, GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'test', GITHUB_REPOSITORY: 'acme/ect-two' };
    let secondDone: Promise<HarnessResult> | undefined;
    let firstStillUp = '';
    const first = runAction({
      workspace,
      inputs: { 'stop-timeout': '0' },
      env: { ...actions, RUNNER_NAME: 'runner-1', DB_DELAY: '0' },
      between: async ({ outputs }) => {
        // The second run comes up and goes completely while the first one is still in use.
        secondDone = runAction({ workspace, inputs: { 'stop-timeout': '0' }, env: { ...actions, RUNNER_NAME: 'runner-2', DB_DELAY: '0' } });
        const second = await secondDone;
        expect(second.main.outcome).toBe('success');
        firstStillUp = (await httpGet(outputs['web-url'])).body.trim();
        expect(leftovers(outputs['project-name']).length).toBeGreaterThan(0);
      },
    });
    const a = await first;
    const b = await (secondDone as Promise<HarnessResult>);
    const names = [a.main.outputs['project-name'], b.main.outputs['project-name']];
    for (const n of names) project(n); // removed after the test if anything fails
    expect(a.main.outcome).toBe('success');
    expect(names[0]).toMatch(/^ect-two-\d+-1-test-[0-9a-f]{6}$/);
    expect(names[1]).not.toBe(names[0]);
    expect(firstStillUp).toBe('hello');
    for (const n of names) expect(leftovers(n)).toEqual([]);
  });

  it('outside Actions, two concurrent runs of one file get random names and both clean up', async () => {
    const workspace = path.join(FIXTURES, 'chain');
    const [a, b] = await Promise.all([0, 1].map(() => runAction({ workspace, inputs: { 'stop-timeout': '0' }, env: { GITHUB_RUN_ID: '', DB_DELAY: '0' } })));
    const names = [a.main.outputs['project-name'], b.main.outputs['project-name']];
    for (const n of names) project(n);
    expect(a.main.errors).toEqual([]);
    expect(b.main.errors).toEqual([]);
    expect(names[0]).toMatch(/^chain-[0-9a-f]{8}$/);
    expect(names[1]).toMatch(/^chain-[0-9a-f]{8}$/);
    expect(names[0]).not.toBe(names[1]);
    for (const n of names) expect(leftovers(n)).toEqual([]);
  });
});

describe('huge service output', () => {
  it('170 MB of logs in long lines: the log probe streams them, failure and post logs are tail-limited, memory stays bounded', async () => {
    const name = project('huge');
    const artifacts = await startFakeArtifactService();
    const result = await runAction({
      workspace: path.join(FIXTURES, 'huge-logs'),
      env: artifacts.env,
      inputs: { 'project-name': name, 'wait-for': 'chatty: log:/ready now/\ncrasher: exit:0', logs: 'always 50', 'stop-timeout': '0', 'logs-artifact': 'huge' },
    }).finally(() => artifacts.close());
    const message = expectServiceFailed(result, 'crasher', { exitCode: 3, logs: ['FATAL: out of coffee'] });
    expect(message.length).toBeLessThan(20000);
    const services = servicesOutput(result);
    expect(services.chatty.readiness).toBe('log matched');
    // 170 MB went through the engine's logs; the action's memory is that of a small Node process.
    expect(result.main.peakRssKb).toBeLessThan(150 * 1024);
    expect(result.post?.peakRssKb).toBeLessThan(150 * 1024);
    // Post prints each service's last 50 lines, not its whole log.
    const groups = [...(result.post?.output ?? '').matchAll(/^::group::Logs of (\S+).*\n([\s\S]*?)^::endgroup::$/gm)];
    expect(groups.map((g) => g[1]).sort()).toEqual(['chatty', 'crasher']);
    for (const g of groups) expect(g[2].split('\n').filter(Boolean).length).toBeLessThanOrEqual(50);
    expect(result.post?.output).toContain('ready now');
    expect(result.post?.exitCode).toBe(0);
    // The logs artifact after a failed start: each log capped to its first and last MiB, with a
    // marker; post's memory bounded as above (the logs stream to files, never held whole).
    const files = artifacts.files(artifacts.artifacts[0]);
    const chatty = files[`logs/chatty--${name}-chatty-1.log`];
    expect(chatty.length).toBeLessThan(2.2 * 1024 * 1024);
    expect(chatty).toMatch(/\[ephemeral-compose: \d+ line\(s\), \d+ byte\(s\) cut here; the file keeps the first 1048576 and the last 1048576 bytes\]/);
    // `head -c` cuts the last line of output short: "ready now" ends that line.
    expect(chatty.trimEnd()).toMatch(/ stdout a line of output .*ready now$/);
    expect(files[`logs/crasher--${name}-crasher-1.log`].trimEnd()).toMatch(/stdout FATAL: out of coffee$/);
    expect(leftovers(name)).toEqual([]);
  }, 600000);
});
