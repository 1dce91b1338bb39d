import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { docker, leftovers, projectsRemovedAfterEach } from '../helpers/engine';

// A `container:` job as GitHub's runner makes one: a container on a user-defined network of its
// own, the engine's socket mounted, every step run in it with `docker exec`. Here the step is the
// runner-faithful harness, run inside that container with the node, docker CLI and compose of this
// machine mounted; Docker's isolation rules drop its traffic to the project's network until the
// action joins it.

const ROOT = path.resolve(__dirname, '..', '..');
const FOUNDING = '__tests__/fixtures/founding';
const JOB = `ec-job-${process.pid}`;
const project = projectsRemovedAfterEach();

/** The Compose v2 plugin the CLI uses here: in DOCKER_CONFIG, or installed for the whole machine (GitHub's runners). */
function composePlugin(): string {
  const dirs = [process.env.DOCKER_CONFIG, path.join(os.homedir(), '.docker')].filter((d): d is string => !!d).map((d) => path.join(d, 'cli-plugins'));
  dirs.push('/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins');
  const found = dirs.map((d) => path.join(d, 'docker-compose')).find((f) => fs.existsSync(f));
  if (!found) throw new Error(`no Compose v2 plugin in ${dirs.join(', ')}`);
  return found;
}

/** This machine's Docker CLI, as PATH finds it. */
function dockerCli(): string {
  const found = (process.env.PATH ?? '')
    .split(':')
    .map((d) => path.join(d, 'docker'))
    .find((f) => fs.existsSync(f));
  if (!found) throw new Error('no docker CLI on PATH');
  return fs.realpathSync(found);
}

/** The mounts that bring this machine's compose into the job container. */
function composeMounts(): string[] {
  return ['-v', `${composePlugin()}:/opt/compose-v2/cli-plugins/docker-compose:ro`, '-e', 'DOCKER_CONFIG=/opt/compose-v2'];
}

beforeAll(() => {
  docker('network', 'create', JOB);
  docker(
    'run',
    '-d',
    '--name',
    JOB,
    '--network',
    JOB,
    '-v',
    '/var/run/docker.sock:/var/run/docker.sock',
    '-v',
    `${ROOT}:${ROOT}:ro`,
    '-v',
    `${dockerCli()}:/usr/bin/docker:ro`,
    ...composeMounts(),
    '-w',
    ROOT,
    '--entrypoint',
    'tail',
    'ephemeral-compose-test/debian-data',
    '-f',
    '/dev/null',
  );
});

afterAll(() => {
  docker('rm', '-f', JOB);
  docker('network', 'rm', JOB);
});

/** Runs the action (main, the next steps, post) as a step of the job. */
function step(args: string[]): { code: number; out: string } {
  const r = spawnSync('docker', ['exec', JOB, 'node_modules/node/bin/node', 'harness/run-action.js', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function jobNetworks(): string[] {
  return Object.keys(JSON.parse(docker('inspect', '-f', '{{json .NetworkSettings.Networks}}', JOB)) as Record<string, unknown>);
}

const output = (out: string, name: string): string => (new RegExp(`^${name}=(.*)$`, 'm').exec(out) ?? [])[1] ?? '';

describe('in a container job', () => {
  it('brings the founding shape up, and later steps in the job reach each service at its name', () => {
    const name = project('job-founding');
    const probe = [
      'import os, socket, urllib.request',
      'print("web says", urllib.request.urlopen(os.environ["OUTPUT_WEBSERVER_URL"] + "/health", timeout=5).read().decode().strip())',
      'socket.create_connection((os.environ["DB_HOST"], int(os.environ["DB_PORT"])), timeout=5).close()',
      'print("db accepts at", os.environ["DB_HOST"], os.environ["DB_PORT"])',
    ].join('\n');
    const r = step(['--workspace', FOUNDING, '--input', `project-name=${name}`, '--input', 'stop-timeout=0', '--next', `python3 -c '${probe}'`]);
    expect(r.out).toContain('main: success');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`Reaching services: job container ${JOB} \\([0-9a-f]{12}\\) joined to ${name}_default; URLs name the services`));
    expect(output(r.out, 'urls')).toBe('{"db":"mysql://db:3306","webserver":"http://webserver:8080"}');
    const services = JSON.parse(output(r.out, 'services')) as Record<string, { state: string; ports: { url?: string }[] }>;
    for (const s of ['db', 'webserver', 'scheduler', 'myapp']) expect(services[s].state).toBe('ready');
    expect(services.webserver.ports[0].url).toMatch(/^http:\/\/localhost:\d+$/);
    expect(r.out).toContain('web says ok');
    expect(r.out).toContain('db accepts at db 3306');
    // Every dependent started once: none crashed for want of the database.
    expect(r.out).not.toMatch(/cannot reach db/);
    expect(jobNetworks()).toEqual([JOB]);
    expect(leftovers(name)).toEqual([]);
  });

  it('runs every probe kind there', () => {
    const name = project('job-probes');
    const waitFor = ['web: http://:8080/api/health', 'db: tcp:5432', 'worker: log:/ready to accept/', 'job: exit:3', 'cache: none', 'app: running'].join('\n');
    const r = step(['--workspace', '__tests__/fixtures/probes', '--input', `project-name=${name}`, '--input', 'stop-timeout=0', '--input', `wait-for=${waitFor}`]);
    expect(r.out).toContain('main: success');
    const s = JSON.parse(output(r.out, 'services')) as Record<string, { state: string; readiness: string }>;
    expect(s.web.readiness).toBe('responding');
    expect(s.db.readiness).toBe('listening');
    expect(s.worker.readiness).toBe('log matched');
    expect(s.job.state).toBe('completed');
    expect(s.slowcheck.readiness).toBe('healthy');
    expect(jobNetworks()).toEqual([JOB]);
    expect(leftovers(name)).toEqual([]);
  });

  it('fails fast with the logs, and post still detaches the job and removes the stack', () => {
    const name = project('job-fails');
    const r = step(['--workspace', '__tests__/fixtures/failures', '--input', `project-name=${name}`, '--input', 'services=sick-dependent', '--input', 'stop-timeout=0']);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Service 'sick' failed");
    expect(r.out).toContain('replica lag too high');
    expect(r.out).toContain('main: failure');
    expect(r.out).toMatch(/post: exit 0/);
    expect(jobNetworks()).toEqual([JOB]);
    expect(leftovers(name)).toEqual([]);
  });

  it('leaves nothing after a cancel while the stack starts', () => {
    const name = project('job-cancel');
    const r = step(['--workspace', FOUNDING, '--input', `project-name=${name}`, '--input', 'stop-timeout=0', '--cancel-when', '^Level 0: starting db']);
    expect(r.out).toContain('main: cancelled');
    expect(r.out).toMatch(/post: exit 0/);
    expect(jobNetworks()).toEqual([JOB]);
    expect(leftovers(name)).toEqual([]);
  });
});
