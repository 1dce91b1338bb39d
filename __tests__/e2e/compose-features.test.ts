import { execFileSync } from 'child_process';
import * as path from 'path';
import { containerOf, docker, FIXTURES, httpGet, leftovers, PREVIEW_ACTION, projectsRemovedAfterEach, runAction, servicesOutput, urlsOutput } from '../helpers/engine';

// What current Compose and Engine do at start that the action must not lose by starting
// containers itself: hooks, files compose generates, IPv6-only networks, the shell of CMD-SHELL,
// start_interval, depends_on.restart. Each fixture fails if that part of the start is skipped.

const project = projectsRemovedAfterEach();
const FEATURES = path.join(FIXTURES, 'current-compose');

const up = (file: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) => {
  const name = project(file.replace(/\.yaml$/, ''));
  return { name, result: runAction({ workspace: FEATURES, env, inputs: { 'project-name': name, 'compose-file': file, 'stop-timeout': '0', timeout: '60', ...inputs } }) };
};

/** Runs the action and reads the page each service serves while the stack is up. */
async function upAndRead(
  file: string,
  env: Record<string, string> = {},
  inputs: Record<string, string> = {},
): Promise<{ pages: Record<string, string>; errors: string[]; services: ReturnType<typeof servicesOutput> }> {
  const name = project(file.replace(/\.yaml$/, ''));
  const pages: Record<string, string> = {};
  const result = await runAction({
    workspace: FEATURES,
    env,
    inputs: { 'project-name': name, 'compose-file': file, 'stop-timeout': '0', timeout: '60', ...inputs },
    between: async ({ outputs }) => {
      for (const [service, url] of Object.entries(urlsOutput(outputs))) pages[service] = (await httpGet(url)).body.trim();
    },
  });
  expect(result.post?.exitCode).toBe(0);
  expect(leftovers(name)).toEqual([]);
  return { pages, errors: result.main.errors, services: servicesOutput(result) };
}

it('runs post_start hooks: the server waits for the file its hook writes', async () => {
  const { pages, errors } = await upAndRead('hooks.yaml');
  expect(errors).toEqual([]);
  expect(pages.web).toBe('set-by-post-start');
});

it('delivers a config from content:, and a config and a secret from environment:', async () => {
  const { pages, errors } = await upAndRead('generated-files.yaml', { APP_MODE: 'ci-mode', API_TOKEN: 'token-of-17-bytes' });
  expect(errors).toEqual([]);
  // The config's text, the mode from the environment, the secret's length (never its value).
  expect(pages.web.split('\n')).toEqual(['greeting=hello from content', 'ci-mode', '17']);
});

it('brings up a service on an IPv6-only network and reaches it', async () => {
  const { pages, errors, services } = await upAndRead('ipv6-only.yaml');
  expect(errors).toEqual([]);
  // Its port was seen open at its only address, an IPv6 one.
  expect(services.web.readiness).toBe('listening');
  expect(pages.web).toBe('hello over ipv6');
});

it('runs CMD-SHELL through /bin/sh as the engine does, whatever the image SHELL says', async () => {
  const { name, result } = up('image-shell.yaml', { build: 'true', 'wait-for': 'checked: healthy timeout=20\nengine: healthy engine timeout=20' });
  const r = await result;
  expect(r.main.errors).toEqual([]);
  const services = servicesOutput(r);
  expect(services.checked.readiness).toBe('healthy');
  // The engine's own verdict on the same test through the same shell.
  expect(services.engine.readiness).toBe('healthy');
  // The action's own run decided `checked` long before the engine's first check (5 minutes).
  expect(services.checked.readySeconds).toBeLessThan(10);
  expect(leftovers(name)).toEqual([]);
});

it('honours start_interval: the engine checks every second during start_period, not every hour', async () => {
  const { name, result } = up('start-interval.yaml', { 'wait-for': 'db: healthy engine timeout=30' });
  const r = await result;
  expect(r.main.errors).toEqual([]);
  const db = servicesOutput(r).db;
  expect(db.readiness).toBe('healthy');
  expect(db.readySeconds).toBeLessThan(10);
  expect(leftovers(name)).toEqual([]);
});

it('restarts a dependent with depends_on.restart when a redeploy recreates its dependency', async () => {
  const name = project('restart');
  const deploy = (version: string) =>
    runAction({
      actionDir: PREVIEW_ACTION,
      workspace: FEATURES,
      env: { DB_VERSION: version },
      inputs: { command: 'deploy', 'project-name': name, 'compose-file': 'restart.yaml', 'stop-timeout': '0' },
    });
  const started = (service: string) => docker('inspect', '--format', '{{.State.StartedAt}}', containerOf(name, service));
  try {
    expect((await deploy('1')).main.errors).toEqual([]);
    const [db1, app1, app1Started] = [containerOf(name, 'db'), containerOf(name, 'app'), started('app')];
    expect((await deploy('2')).main.errors).toEqual([]);
    // db was recreated (its command changed); app was not, but it was restarted after db started.
    expect(containerOf(name, 'db')).not.toBe(db1);
    expect(containerOf(name, 'app')).toBe(app1);
    expect(started('app') > app1Started).toBe(true);
    expect(started('app') >= started('db')).toBe(true);
    expect(docker('inspect', '--format', '{{.State.Status}}', containerOf(name, 'app'))).toBe('running');
  } finally {
    execFileSync('docker', ['compose', '-p', name, 'down', '-v', '-t', '0'], { stdio: 'ignore' });
  }
  expect(leftovers(name)).toEqual([]);
});
