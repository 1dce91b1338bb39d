import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  containerIds,
  docker,
  expectServiceFailed,
  FIXTURES,
  httpGet,
  leftovers,
  projectsRemovedAfterEach,
  removeProject,
  runAction,
  servicesOutput,
  urlsOutput,
} from '../helpers/engine';

// The action end to end on the real engine, through the runner-faithful harness.

const project = projectsRemovedAfterEach();

test('a three-service stack comes up in order, its URLs answer, and post removes everything', async () => {
  const name = project('chain');
  let answered = '';
  const result = await runAction({
    workspace: path.join(FIXTURES, 'chain'),
    // down-flags make the post step run compose's own down as well as the engine sweep.
    inputs: { 'project-name': name, 'down-flags': '--rmi local' },
    between: async ({ outputs }) => {
      answered = (await httpGet(outputs['web-url'])).body;
      expect(leftovers(name).length).toBeGreaterThan(0);
    },
  });
  expect(result.main.errors).toEqual([]);
  expect(result.main.outcome).toBe('success');
  expect(answered.trim()).toBe('hello');
  // The versions in use, as the machine's compose and engine report them (scripts/test-e2e.sh runs
  // this suite on the current and on the oldest supported pair).
  const composeVersion = execFileSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' }).trim();
  const engineVersion = docker('version', '--format', '{{.Server.Version}}');
  expect(result.main.output).toContain(`Compose ${composeVersion} ('docker compose'), engine ${engineVersion}`);
  // A local engine's containers are reached at their addresses, on the project's own bridge.
  expect(result.main.output).toContain('Reaching services: container addresses');
  expect(result.main.output).toMatch(/^ +db +listening +[\d.]+s +\(port 3306\)$/m);

  const outputs = result.main.outputs;
  expect(outputs['project-name']).toBe(name);
  const urls = urlsOutput(outputs);
  expect(Object.keys(urls).sort()).toEqual(['db', 'web']);
  expect(urls.web).toMatch(/^http:\/\/localhost:\d+$/);
  expect(urls.db).toMatch(/^mysql:\/\/localhost:\d+$/);
  expect(outputs['web-url']).toBe(urls.web);
  expect(outputs['db-url']).toBe(urls.db);
  expect(outputs['migrate-url']).toBeUndefined();

  const services = servicesOutput(result);
  expect(services.db.state).toBe('ready');
  expect(services.migrate.state).toBe('completed');
  expect(services.web.state).toBe('ready');
  expect(services.web.ports).toEqual([expect.objectContaining({ target: 8080, protocol: 'tcp', url: urls.web })]);
  expect(services.web.containers[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(services.db.readySeconds).toBeGreaterThanOrEqual(2);
  // Order: each service was ready before the next one was started.
  expect(Date.parse(services.db.readyAt as string)).toBeLessThan(Date.parse(services.web.readyAt as string));

  expect(result.main.summary).toContain('| web | ready (listening)');
  expect(result.post?.exitCode).toBe(0);
  expect(leftovers(name)).toEqual([]);
});

test('a one-shot container that exits non-zero fails the step with its exit code and logs', async () => {
  const name = project('oneshot');
  const result = await runAction({ workspace: path.join(FIXTURES, 'oneshot-fails'), inputs: { 'project-name': name } });
  expectServiceFailed(result, 'migrate', { exitCode: 7, notStarted: ['app'], logs: ['ERROR: relation users already exists'] });
  expect(servicesOutput(result).db.state).toBe('ready');
  // logs: on-failure prints each service's logs in a group in post.
  expect(result.post?.output).toMatch(/::group::Logs of migrate .*exited 7/);
  expect(result.post?.output).toContain('applying 0001_init');
  expect(leftovers(name)).toEqual([]);
});

test('a main step cancelled while waiting stops promptly and post still removes everything', async () => {
  const name = project('cancel');
  const result = await runAction({
    workspace: path.join(FIXTURES, 'slow'),
    inputs: { 'project-name': name, 'stop-timeout': '0' },
    cancel: { whenOutput: /Level 0: starting db/ },
  });
  expect(result.main.outcome).toBe('cancelled');
  // SIGINT alone ended it: no SIGTERM (7.5 s later) was needed.
  expect(result.main.signal).toBeNull();
  expect(result.main.output).toContain('Received SIGINT');
  expect(result.main.errors.join('\n')).toContain('cancelled');
  expect(result.post?.exitCode).toBe(0);
  expect(leftovers(name)).toEqual([]);
});

test('a main step cancelled while compose creates the stack leaves nothing after post', async () => {
  const name = project('cancel-create');
  const result = await runAction({
    workspace: path.join(FIXTURES, 'slow'),
    inputs: { 'project-name': name, 'stop-timeout': '0' },
    cancel: { whenOutput: /Start order/ },
  });
  expect(result.main.outcome).toBe('cancelled');
  expect(result.post?.exitCode).toBe(0);
  expect(leftovers(name)).toEqual([]);
});

test('the readiness timeout names what each service was waiting for', async () => {
  const name = project('timeout');
  const result = await runAction({
    workspace: path.join(FIXTURES, 'slow'),
    // Long enough for db's container to start and be probed on a loaded machine (with 2 s, the
    // oldest engine under three workers once had not started it yet: "waiting for its container").
    inputs: { 'project-name': name, timeout: '6', 'stop-timeout': '0' },
  });
  expect(result.main.outcome).toBe('failure');
  const message = result.main.errors.join('\n');
  expect(message).toContain('Timed out after 6 s');
  expect(message).toMatch(/Not ready: db \(waiting for port 3306 to accept connections; last: ECONNREFUSED at [\d.]+:3306\)/);
  expect(message).toContain('Not started: app (needs db)');
  expect(leftovers(name)).toEqual([]);
});

test('a folder with no compose file: main says where compose looked, post touches nothing', async () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ect-empty-'));
  const result = await runAction({ workspace });
  expect(result.main.outcome).toBe('failure');
  expect(result.main.errors.join('\n')).toContain(`No compose file found in ${workspace}`);
  expect(result.main.errors.join('\n')).toContain("set 'compose-file' or 'working-directory'");
  expect(result.post?.exitCode).toBe(0);
  expect(result.post?.output).toContain('stopped before creating anything');
});

test('post finds the project already gone and says so without failing', async () => {
  const name = project('gone');
  const result = await runAction({
    workspace: path.join(FIXTURES, 'chain'),
    inputs: { 'project-name': name },
    env: { DB_DELAY: '0' },
    between: async () => removeProject(name),
  });
  expect(result.main.outcome).toBe('success');
  expect(result.post?.exitCode).toBe(0);
  expect(result.post?.warnings).toEqual([]);
  expect(result.post?.output).toContain(`Project ${name} is already gone: nothing labelled com.docker.compose.project=${name} is left on the engine.`);
  expect(result.post?.output).not.toContain('Removed project');
  expect(leftovers(name)).toEqual([]);
});

test('teardown: never leaves the stack running', async () => {
  const name = project('keep');
  const result = await runAction({
    workspace: path.join(FIXTURES, 'chain'),
    inputs: { 'project-name': name, teardown: 'never' },
    env: { DB_DELAY: '0' },
  });
  expect(result.main.outcome).toBe('success');
  expect(result.post?.output).toContain('stays up');
  const running = containerIds(name, undefined, false);
  expect(running).toHaveLength(2); // db and web; migrate completed
  removeProject(name);
  expect(leftovers(name)).toEqual([]);
});
