import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { FIXTURES, HarnessResult, httpGet, leftovers, projectsRemovedAfterEach, runAction, servicesOutput, urlsOutput } from '../helpers/engine';

// Projects shaped as teams keep them, read as `docker compose up` reads them from the same folder:
// the override file, a compose file below the root with paths relative to its own folder and a
// .env beside it, compose's settings in .env, a service behind a profile named in `services`, a
// file that names itself. Every run here also passes the config-hash oracle (helpers/engine.ts).

const project = projectsRemovedAfterEach();
const FIDELITY = path.join(FIXTURES, 'compose-fidelity');

interface Seen {
  result: HarnessResult;
  pages: Record<string, string>;
  /** What a later step's plain `docker compose` printed, by command. */
  later: Record<string, string>;
}

/** Runs the action, reads every service's page and runs plain compose commands as a later step would. */
async function upAndLook(fixture: string, inputs: Record<string, string>, laterCommands: Record<string, string[]> = {}): Promise<Seen> {
  const workspace = path.join(FIDELITY, fixture);
  const pages: Record<string, string> = {};
  const later: Record<string, string> = {};
  const result = await runAction({
    workspace,
    inputs: { 'stop-timeout': '0', timeout: '60', ...inputs },
    between: async ({ outputs, env }) => {
      for (const [service, url] of Object.entries(urlsOutput(outputs))) pages[service] = (await httpGet(url)).body.trim();
      // A later `run:` step: the job's environment plus what the action exported, in the workspace.
      for (const [label, argv] of Object.entries(laterCommands)) {
        later[label] = execFileSync('docker', ['compose', ...argv], {
          cwd: workspace,
          env: { ...process.env, ...env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }).trim();
      }
    },
  });
  return { result, pages, later };
}

it('reads compose.yaml and its override, as compose does with no file named', async () => {
  const name = project('override');
  const { result, pages, later } = await upAndLook('override', { 'project-name': name }, { exec: ['exec', '-T', 'web', 'cat', '/www/index.html'] });
  expect(result.main.errors).toEqual([]);
  // The port and the page both come from the override only.
  expect(pages).toEqual({ web: 'from-the-override' });
  expect(later.exec).toBe('from-the-override');
  expect(result.main.env.COMPOSE_PROJECT_NAME).toBe(name);
  expect(result.main.env.COMPOSE_FILE).toBe([path.join(FIDELITY, 'override', 'compose.yaml'), path.join(FIDELITY, 'override', 'compose.override.yaml')].join(':'));
  expect(leftovers(name)).toEqual([]);
});

it('resolves a file below the root against its own folder: build context, bind mount and .env', async () => {
  const name = project('subfolder');
  const root = path.join(FIDELITY, 'subfolder');
  fs.rmSync(path.join(root, 'fixtures'), { recursive: true, force: true });
  const { result, later } = await upAndLook(
    'subfolder',
    { 'project-name': name, 'compose-file': 'deploy/ci/compose.yaml', build: 'true' },
    { built: ['exec', '-T', 'web', 'cat', '/www/built.txt'], mounted: ['exec', '-T', 'web', 'cat', '/www/data.txt'], greeting: ['exec', '-T', 'web', 'cat', '/www/greeting.txt'] },
  );
  expect(result.main.errors).toEqual([]);
  expect(later).toEqual({ built: 'built-from-the-repository-root', mounted: 'mounted-from-deploy-ci-fixtures', greeting: 'hello-from-deploy-ci-env' });
  // Resolved against the workspace, the bind mount would have made an empty folder here.
  expect(fs.existsSync(path.join(root, 'fixtures'))).toBe(false);
  expect(result.main.env.COMPOSE_FILE).toBe(path.join(root, 'deploy', 'ci', 'compose.yaml'));
  expect(leftovers(name)).toEqual([]);
});

it("takes COMPOSE_FILE and COMPOSE_PROFILES from .env, and later steps' compose sees the same project", async () => {
  const name = project('envsettings');
  const { result, pages, later } = await upAndLook('env-settings', { 'project-name': name }, { ps: ['ps', '--services'] });
  expect(result.main.errors).toEqual([]);
  expect(pages).toEqual({ web: 'base', worker: 'worker', admin: 'admin' });
  expect(later.ps.split('\n').sort()).toEqual(['admin', 'web', 'worker']);
  expect(leftovers(name)).toEqual([]);
});

it('starts a service behind a profile that services names, as compose up <service> does', async () => {
  const name = project('profiled');
  const { result, pages } = await upAndLook('env-settings', { 'project-name': name, services: 'debug' });
  expect(result.main.errors).toEqual([]);
  expect(pages).toEqual({ debug: 'debug' });
  expect(Object.keys(servicesOutput(result))).toEqual(['debug']);
  expect(leftovers(name)).toEqual([]);
});

it("says once that the file's own name is replaced, and ${COMPOSE_PROJECT_NAME} is the run's name", async () => {
  const { result, pages } = await upAndLook('named', {});
  expect(result.main.errors).toEqual([]);
  const name = result.main.outputs['project-name'];
  expect(name).not.toBe('shop');
  expect(pages).toEqual({ web: name });
  const notices = result.main.output.split('\n').filter((l) => l.startsWith('::notice::'));
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain(`The project names itself 'shop'`);
  expect(notices[0]).toContain(`this run names it '${name}'`);
  expect(leftovers(name)).toEqual([]);
  // Named after its folder only, a project gets no such line.
  const plain = await upAndLook('override', {});
  expect(plain.result.main.output).not.toContain('::notice::');
});

it('a second use in the job reads its own project, warns what it overwrites, and each post removes its own', async () => {
  const first = project('first');
  const second = project('second');
  let secondRun: HarnessResult | undefined;
  let firstStillUp = '';
  const result = await runAction({
    workspace: path.join(FIDELITY, 'override'),
    inputs: { 'project-name': first, 'stop-timeout': '0' },
    between: async ({ env }) => {
      // The second step gets what the first exported, as the runner hands it on.
      secondRun = await runAction({ workspace: path.join(FIDELITY, 'named'), env, inputs: { 'project-name': second, 'stop-timeout': '0' } });
      firstStillUp = execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${first}`], { encoding: 'utf8' }).trim();
    },
  });
  expect(result.main.errors).toEqual([]);
  expect(secondRun?.main.errors).toEqual([]);
  // Its own default file, not the first use's COMPOSE_FILE.
  expect(secondRun?.main.env.COMPOSE_FILE).toBe(path.join(FIDELITY, 'named', 'compose.yaml'));
  const warning = secondRun?.main.output.split('\n').find((l) => l.startsWith('::warning::An earlier use of this action'));
  expect(warning).toContain('COMPOSE_FILE, COMPOSE_PROJECT_NAME');
  expect(warning).toContain('WEB_HOST');
  expect(warning).toContain("'export-env'");
  expect(firstStillUp).not.toBe('');
  expect(leftovers(second)).toEqual([]);
  expect(leftovers(first)).toEqual([]);
});

it("masks compose's own secrets (from .env through environment:, and from file:) before anything prints them", async () => {
  const name = project('secrets');
  const result = await runAction({ workspace: path.join(FIDELITY, 'secrets'), inputs: { 'project-name': name, logs: 'always', 'stop-timeout': '0' } });
  expect(result.main.errors).toEqual([]);
  // The post step prints the service's log: both values as the runner shows them.
  expect(result.post?.output).toContain('db=***');
  expect(result.post?.output).toContain('signing=***');
  for (const secret of ['from-dot-env-4711-value', 'from-a-file-0815-value']) {
    expect([secret, result.masks.includes(secret)]).toEqual([secret, true]);
    // Registered before main's first line: the harness would show it unmasked otherwise.
    expect([secret, result.main.output.includes(secret)]).toEqual([secret, false]);
    expect([secret, result.post?.output.includes(secret)]).toEqual([secret, false]);
    expect([secret, result.main.summary.includes(secret)]).toEqual([secret, false]);
  }
  expect(leftovers(name)).toEqual([]);
});

describe('verdicts as the files mean them', () => {
  const VERDICTS = path.join(FIDELITY, 'verdicts');

  it('fails a server that daemonizes: its declared port never opened, and the message says why', async () => {
    const name = project('daemon');
    const result = await runAction({ workspace: VERDICTS, inputs: { 'project-name': name, 'compose-file': 'daemonizing.yaml', 'stop-timeout': '0', timeout: '30' } });
    expect(result.main.outcome).toBe('failure');
    const message = result.main.errors.join('\n');
    expect(message).toMatch(/Service 'web' failed after [\d.]+s: container \S+ exited with code 0 before it was ready \(waiting for port 8080 to accept connections/);
    expect(message).toContain('daemonizes');
    expect(leftovers(name)).toEqual([]);
  });

  it('waits for a service that retries through its restart policy until a service it does not declare is up', async () => {
    const name = project('retry');
    const result = await runAction({ workspace: VERDICTS, inputs: { 'project-name': name, 'compose-file': 'retry-until-up.yaml', 'stop-timeout': '0', timeout: '60' } });
    expect(result.main.errors).toEqual([]);
    expect(result.main.output).toMatch(/app +restarting +\d+ exits \(last code 1\); judged once db is up/);
    expect(servicesOutput(result).app.state).toBe('ready');
    expect(leftovers(name)).toEqual([]);
  });
});
