import { execFileSync } from 'child_process';
import * as path from 'path';
import { containerOf, docker, expectServiceFailed, FIXTURES, httpGet, leftovers, projectsRemovedAfterEach, runAction, servicesOutput } from '../helpers/engine';

// Readiness verdicts that must never be wrong, each on a stack of its own, on the real engine.

const project = projectsRemovedAfterEach();
const VERDICTS = path.join(FIXTURES, 'verdicts');

beforeAll(() => {
  // Built once per run (cached by the engine); FROM the local busybox image, nothing is pulled.
  for (const [image, file] of [
    ['ephemeral-compose-test/verdicts-mq', 'Dockerfile.mq'],
    ['ephemeral-compose-test/verdicts-bare', 'Dockerfile.bare'],
  ]) {
    execFileSync('docker', ['build', '-q', '-t', image, '-f', path.join(VERDICTS, file), VERDICTS], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: 'ignore' });
  }
});

const up = (file: string, inputs: Record<string, string> = {}, extra: Parameters<typeof runAction>[0] = {}) => {
  const name = project(file.replace(/\.yaml$/, ''));
  return { name, result: runAction({ workspace: VERDICTS, inputs: { 'project-name': name, 'compose-file': file, 'stop-timeout': '0', ...inputs }, ...extra }) };
};

it('a crash inside the running settle window fails the step', async () => {
  const { name, result } = up('settle-crash.yaml');
  const r = await result;
  expectServiceFailed(r, 'worker', { exitCode: 2, logs: ['cannot reach the database'] });
  expect(servicesOutput(r).worker.readiness).toBe('running');
  expect(leftovers(name)).toEqual([]);
});

it('a service that dies after main is reported by post, and fails it with fail-on-exit', async () => {
  // A settle window shorter than the worker's life: main passes, the crash comes during "the tests".
  const { name, result } = up('settle-crash.yaml', { 'wait-for': 'worker: running 0.5s', 'fail-on-exit': 'true' }, { between: () => new Promise((r) => setTimeout(r, 2500)) });
  const r = await result;
  expect(r.main.outcome).toBe('success');
  const errors = r.post?.output.split('\n').filter((l) => l.startsWith('::error')) ?? [];
  expect(errors.join('\n')).toMatch(
    /::error title=worker exited after the main step::Service 'worker' \(\S+\) exited with code 2 at \d{4}-\d\d-\d\dT[\d:.]+Z, after the main step had found it ready\.%0ALast log lines of worker:%0Aimporting%0Acannot reach the database/,
  );
  expect(errors.join('\n')).toContain('::error::1 service(s) exited after the main step found them ready: worker (fail-on-exit: true).');
  expect(r.post?.exitCode).toBe(1);
  // It counts as a failure for logs: on-failure (the default).
  expect(r.post?.output).toContain('Logs of worker');
  expect(r.post?.summary).toContain('after the main step');
  expect(r.post?.summary).toContain('**Failed:**');
  expect(leftovers(name)).toEqual([]);
});

it('a service killed during the tests is reported; without fail-on-exit post still passes', async () => {
  const name = project('killed');
  const r = await runAction({
    workspace: path.join(FIXTURES, 'chain'),
    inputs: { 'project-name': name, 'stop-timeout': '0' },
    env: { DB_DELAY: '0' },
    between: async () => {
      docker('kill', containerOf(name, 'web'));
    },
  });
  expect(r.main.outcome).toBe('success');
  expect(r.post?.exitCode).toBe(0);
  expect(r.post?.output).toMatch(/::error title=web exited after the main step::Service 'web' \(\S+\) exited with code 137/);
  // The one-shot migrate completed during main: no report for it, nor for db, still up.
  expect(r.post?.output).not.toMatch(/Service '(migrate|db)'/);
  expect(leftovers(name)).toEqual([]);
});

it('exit 0 is not health: a service needed healthy that exits 0 fails the step; its dependent never starts', async () => {
  const { name, result } = up('exit0-not-healthy.yaml', { logs: 'on-failure 5' });
  const r = await result;
  expectServiceFailed(r, 'db', { exitCode: 0, notStarted: ['web'] });
  expect(leftovers(name)).toEqual([]);
});

it('ports only the image EXPOSEs do not hold the wait: one of them is enough, and the line says which', async () => {
  const { name, result } = up('image-ports.yaml', { timeout: '30' });
  const r = await result;
  expect(r.main.errors).toEqual([]);
  expect(r.main.output).toMatch(/mq\s+listening\s+[\d.]+s\s+\(port 5672; image port 4369 of 4369, 5671, 15691\)/);
  expect(r.main.output).toMatch(/zk\s+listening\s+[\d.]+s\s+\(image port 5671 of 4369, 5671, 5672, 15691\)/);
  expect(servicesOutput(r).mq.readySeconds).toBeLessThan(10);
  expect(leftovers(name)).toEqual([]);
});

it('a service scaled to 0 is skipped; every replica is listed with its own port and answers', async () => {
  const name = project('scale');
  const r = await runAction({
    workspace: VERDICTS,
    inputs: { 'project-name': name, 'compose-file': 'scale.yaml', 'stop-timeout': '0' },
    between: async ({ outputs }) => {
      const web = (JSON.parse(outputs.services) as Record<string, unknown>).web as { replicas: { container: string; ports: { url: string; published: number }[] }[] };
      expect(web.replicas).toHaveLength(2);
      const published = web.replicas.map((rep) => rep.ports[0].published);
      expect(new Set(published).size).toBe(2);
      for (const rep of web.replicas) expect((await httpGet(rep.ports[0].url)).body).toBe('hi\n');
    },
  });
  expect(r.main.errors).toEqual([]);
  const services = servicesOutput(r);
  expect(services.idle.state).toBe('skipped');
  expect(services.web.containers).toHaveLength(2);
  expect(leftovers(name)).toEqual([]);
});

it('a container with no address this machine reaches has its ports read inside it', async () => {
  const { name, result } = up('no-address.yaml', { services: 'isolated', timeout: '30' });
  const r = await result;
  expect(r.main.errors).toEqual([]);
  expect(r.main.output).toMatch(/isolated\s+listening\s+[\d.]+s\s+\(port 4444, read inside the container\)/);
  // nc opens the port a second after start: not reported before it does.
  expect(servicesOutput(r).isolated.readySeconds).toBeGreaterThanOrEqual(1);
  expect(leftovers(name)).toEqual([]);
});

it('without cat or sh in the image, that fails with a message that says what to use instead', async () => {
  const { name, result } = up('no-address.yaml', { services: 'bare', timeout: '30' });
  const r = await result;
  expect(r.main.outcome).toBe('failure');
  expect(r.main.errors.join('\n')).toMatch(
    /Service 'bare' failed after [\d.]+s: its ports cannot be checked: it has no address to probe, the image has no 'cat' or 'sh' .*, and port 4444 is not published/,
  );
  expect(leftovers(name)).toEqual([]);
});

it('a service on two networks starts on both, with its aliases (Compose v1 connects the second only when it starts the container)', async () => {
  const name = project('two-networks');
  const r = await runAction({
    workspace: VERDICTS,
    inputs: { 'project-name': name, 'compose-file': 'two-networks.yaml', 'stop-timeout': '0' },
    between: async () => {
      const networks = docker('inspect', '-f', '{{range $n, $v := .NetworkSettings.Networks}}{{$n}}={{join $v.Aliases ","}} {{end}}', containerOf(name, 'api'));
      expect(networks).toMatch(new RegExp(`${name}_back=\\S*\\bapi\\b`));
      expect(networks).toMatch(new RegExp(`${name}_front=\\S*\\bgateway\\b`));
      // web reached api on `front` under its alias before it listened.
      expect(docker('exec', containerOf(name, 'web'), 'cat', '/www/index.html')).toBe('reached gateway');
    },
  });
  expect(r.main.errors).toEqual([]);
  expect(r.main.output).toMatch(/web\s+listening/);
  expect(leftovers(name)).toEqual([]);
});
