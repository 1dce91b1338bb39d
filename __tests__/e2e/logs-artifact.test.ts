import { spawnSync } from 'child_process';
import * as path from 'path';
import { FakeArtifactService, startFakeArtifactService } from '../helpers/artifact-service';
import { containerIds, FIXTURES, leftovers, projectsRemovedAfterEach, runAction } from '../helpers/engine';

// logs-artifact: post uploads every container's whole log (with timestamps and the stream), compose's
// resolved configuration and the readiness report to GitHub's artifact service (here the suite's
// own, on 127.0.0.1), secrets hidden, after a passing run and after a cancel. After a failed start
// and with a log far larger than the action's memory: faults.test.ts.

const project = projectsRemovedAfterEach();
const WORKSPACE = path.join(FIXTURES, 'logs-artifact');
const SECRETS = ['artifact-secret-2718', 'top-level-secret-3141'];
let service: FakeArtifactService;

beforeAll(async () => {
  service = await startFakeArtifactService();
});
afterAll(() => service?.close());

/** `docker logs --timestamps` of each of the project's containers, stdout and stderr, by container name. */
function engineLogs(name: string): Record<string, { stdout: string[]; stderr: string[] }> {
  const out: Record<string, { stdout: string[]; stderr: string[] }> = {};
  for (const id of containerIds(name)) {
    const container = spawnSync('docker', ['inspect', '--format', '{{.Name}}', id], { encoding: 'utf8' }).stdout.trim().replace(/^\//, '');
    const r = spawnSync('docker', ['logs', '--timestamps', id], { encoding: 'utf8' });
    const lines = (text: string) => text.split('\n').filter(Boolean);
    out[container] = { stdout: lines(r.stdout), stderr: lines(r.stderr) };
  }
  return out;
}

const hide = (line: string) => SECRETS.reduce((l, s) => l.split(s).join('***'), line);

describe('logs-artifact', () => {
  it('uploads every container’s log as docker logs has it, the configuration and the readiness report, secrets hidden', async () => {
    const name = project('artifact');
    let before: ReturnType<typeof engineLogs> = {};
    const result = await runAction({
      workspace: WORKSPACE,
      env: { ...service.env, API_KEY: SECRETS[1] },
      inputs: { 'project-name': name, 'logs-artifact': `logs-${name}`, 'wait-for': 'db: log:/^ready$/\napp: log:/^key /', 'stop-timeout': '0' },
      beforePost: async () => {
        before = engineLogs(name);
      },
    });
    expect(result.main.errors).toEqual([]);
    const uploaded = service.artifacts.filter((a) => a.name === `logs-${name}`);
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0].finalized).toBe(true);
    const files = service.files(uploaded[0]);
    expect(Object.keys(files).sort()).toEqual(['compose-config.yaml', `logs/app--${name}-app-1.log`, `logs/db--${name}-db-1.log`, 'readiness.json']);
    // Each file holds the container's whole log: docker's timestamped lines, the stream after the time.
    for (const container of [`${name}-app-1`, `${name}-db-1`]) {
      const file = files[`logs/${container.endsWith('app-1') ? 'app' : 'db'}--${container}.log`].trimEnd().split('\n');
      const expected = (['stdout', 'stderr'] as const).flatMap((stream) => before[container][stream].map((l) => hide(l).replace(' ', ` ${stream} `)));
      expect(file.sort()).toEqual(expected.sort());
    }
    expect(files[`logs/db--${name}-db-1.log`]).toMatch(/^\S+Z stderr a warning on stderr$/m);
    expect(files[`logs/db--${name}-db-1.log`]).toMatch(/^\S+Z stdout password \*\*\*$/m);
    expect(files[`logs/app--${name}-app-1.log`]).toMatch(/^\S+Z stdout key \*\*\*$/m);
    for (const [file, text] of Object.entries(files)) for (const s of SECRETS) expect([file, text.includes(s)]).toEqual([file, false]);
    expect(files['compose-config.yaml']).toContain('DB_PASSWORD: ***');
    expect((JSON.parse(files['readiness.json']) as { services: Record<string, unknown> }).services.db).toMatchObject({ state: 'ready', readiness: 'log matched' });
    expect(result.post?.output).toMatch(
      new RegExp(`Uploaded the logs artifact 'logs-${name}': 4 file\\(s\\), \\d+ KiB zipped: https://github.com/ephemeral-compose/harness/actions/runs/\\d+/artifacts/\\d+`),
    );
    expect(result.post?.summary).toContain(`[logs-${name}](https://github.com/ephemeral-compose/harness/actions/runs/`);
    expect(leftovers(name)).toEqual([]);
  });

  it('uploads what there is after a cancel', async () => {
    const name = project('artifact-cancel');
    const result = await runAction({
      workspace: WORKSPACE,
      env: { ...service.env, API_KEY: SECRETS[1] },
      inputs: { 'project-name': name, 'logs-artifact': `logs-${name}`, 'wait-for': 'db: log:/^ready$/', 'stop-timeout': '0' },
      cancel: { whenOutput: /Level 1: starting app/ },
    });
    expect(result.main.outcome).toBe('cancelled');
    const uploaded = service.artifacts.filter((a) => a.name === `logs-${name}`);
    expect(uploaded).toHaveLength(1);
    const files = service.files(uploaded[0]);
    expect(files[`logs/db--${name}-db-1.log`]).toMatch(/stdout ready$/m);
    expect(files['compose-config.yaml']).toContain('services:');
    expect(leftovers(name)).toEqual([]);
  });
});
