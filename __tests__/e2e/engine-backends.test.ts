import { Docker } from '../../src/engine/docker';
import { ProcessRunner, RunOptions, SpawnRunner } from '../../src/engine/process-runner';
import { docker, projectName, removeProject } from '../helpers/engine';

// One contract, two backends: every engine call the action makes through `Docker` gives the same
// answer whether the Engine API on the local socket answers it or the `docker` CLI does (as for a
// remote engine). Same engine, same objects, each call on both.

const IMAGE = 'ephemeral-compose-test/busybox';

/** The spawn runner, counting the `docker` processes it starts, by subcommand. */
function countingRunner(): { runner: ProcessRunner; dockerCalls: string[] } {
  const inner = new SpawnRunner();
  const dockerCalls: string[] = [];
  const runner: ProcessRunner = {
    run: (command: string, argv: string[], options?: RunOptions) => {
      if (command === 'docker') dockerCalls.push(argv.slice(0, 2).join(' '));
      return inner.run(command, argv, options);
    },
    stream: (command, argv, options) => {
      if (command === 'docker') dockerCalls.push(argv.slice(0, 2).join(' '));
      return inner.stream(command, argv, options);
    },
    passThrough: (command, argv, options) => {
      if (command === 'docker') dockerCalls.push(argv.slice(0, 2).join(' '));
      return inner.passThrough(command, argv, options);
    },
  };
  return { runner, dockerCalls };
}

const backends = ['auto', 'cli'] as const;
const project = projectName('backends');
const label = `com.docker.compose.project=${project}`;
let ids: string[] = [];

beforeAll(() => {
  // Two containers of a project (one running, one only created), a network and a volume, made with the CLI.
  docker('network', 'create', '--label', label, `${project}_default`);
  docker('volume', 'create', '--label', label, '--label', 'ephemeral-compose.lifetime=1', `${project}_data`);
  ids = ['a', 'b'].map((s) => docker('create', '--label', label, '--label', `com.docker.compose.service=${s}`, '--network', `${project}_default`, IMAGE, 'sleep', '600'));
});

afterAll(() => removeProject(project));

describe.each(backends)('the %s backend', (backend) => {
  const make = () => {
    const { runner, dockerCalls } = countingRunner();
    return { engine: new Docker(runner, process.env, undefined, backend), dockerCalls };
  };

  it('lists what carries the project label, and inspects and starts containers', async () => {
    const { engine, dockerCalls } = make();
    const found = await engine.projectResources(project);
    expect(found.containers.sort()).toEqual(docker('ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}').split('\n').sort());
    expect(found.networks).toEqual([`${project}_default`]);
    expect(found.volumes).toEqual([`${project}_data`]);
    expect((await engine.containerIds(project)).sort()).toEqual([...ids].sort());
    await engine.start([ids[0]]);
    const [facts] = await engine.inspect([ids[0]]);
    expect(facts.id).toBe(ids[0]);
    expect(facts.status).toBe('running');
    expect(facts.service).toBe('a');
    await engine.stop([ids[0]], 0);
    expect((await engine.inspect([ids[0]]))[0].status).toBe('exited');
    expect(await engine.networkIds(project)).toHaveLength(1);
    expect(await engine.volumeNames(project)).toEqual([`${project}_data`]);
    // The API backend starts no `docker` process for any of that; the CLI one does for each.
    if (backend === 'auto') expect(dockerCalls).toEqual([]);
    else expect(dockerCalls.length).toBeGreaterThanOrEqual(8);
  });

  it('gives the engine version and creates and lists labelled volumes with their labels', async () => {
    const { engine, dockerCalls } = make();
    expect(await engine.serverVersion()).toBe(docker('version', '--format', '{{.Server.Version}}'));
    const name = `${project}_${backend}-record`;
    await engine.createVolume(name, { [`com.docker.compose.project`]: project, 'ephemeral-compose.lifetime': '1', 'ephemeral-compose.live-until': '2099-01-01T00:00:00Z' });
    const listed = await engine.labelledVolumes('ephemeral-compose.lifetime');
    const mine = listed.filter((v) => v.name.startsWith(`${project}_`)).sort((a, b) => a.name.localeCompare(b.name));
    expect(mine.map((v) => v.name)).toEqual([`${project}_${backend}-record`, `${project}_data`].sort());
    expect(mine.find((v) => v.name === name)?.labels).toEqual({
      'com.docker.compose.project': project,
      'ephemeral-compose.lifetime': '1',
      'ephemeral-compose.live-until': '2099-01-01T00:00:00Z',
    });
    await engine.removeVolumes([name]);
    if (backend === 'auto') expect(dockerCalls.filter((c) => c !== 'volume rm')).toEqual([]);
  });

  it('removes containers, running or not, and says the same of one already gone', async () => {
    const { engine } = make();
    const extra = docker('run', '-d', '--label', label, IMAGE, 'sleep', '600');
    await engine.removeContainers([extra]);
    expect(docker('ps', '-aq', '--no-trunc', '--filter', `id=${extra}`)).toBe('');
    await expect(engine.inspect([extra])).rejects.toThrow(/No such (container|object)|404/i);
  });
});

describe.each(backends)('the %s backend, streams and locks', (backend) => {
  const make = () => {
    const { runner, dockerCalls } = countingRunner();
    return { engine: new Docker(runner, process.env, undefined, backend), dockerCalls };
  };
  let talker = '';

  beforeAll(() => {
    // Lines on both streams, apart in time so their order by timestamp is certain.
    talker = docker('run', '-d', '--label', label, IMAGE, 'sh', '-c', 'echo out-1; sleep 0.2; echo err-1 >&2; sleep 0.2; echo out-2; exec sleep 600');
  });

  const logged = async (engine: Docker) => {
    for (let i = 0; i < 100 && !(await engine.tailLogs(talker, 1)).includes('out-2'); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('runs commands in a container: exit code, output of both streams, a missing program, a timeout', async () => {
    const { engine, dockerCalls } = make();
    const never = new AbortController().signal;
    const both = await engine.exec(talker, ['sh', '-c', 'echo hi; echo oops >&2; exit 3'], 10000, never);
    expect(both.code).toBe(3);
    expect(both.output).toMatch(/^(hi\noops|oops\nhi)$/);
    expect((await engine.exec(talker, ['no-such-program'], 10000, never)).code).toBe(127);
    expect(await engine.exec(talker, ['sleep', '5'], 300, never)).toEqual({ code: -1, output: 'timed out after 300 ms' });
    const gone = await engine.exec('ect-no-such-container', ['true'], 10000, never);
    expect(gone.code).toBe(1);
    expect(gone.output).toMatch(/No such container/i);
    if (backend === 'auto') expect(dockerCalls).toEqual([]);
  });

  it('reads a log: its last lines in the order written, every line with its stream, followed until stopped, printed', async () => {
    const { engine, dockerCalls } = make();
    await logged(engine);
    expect(await engine.tailLogs(talker, 2)).toBe('err-1\nout-2');
    const lines: [string, string][] = [];
    expect(await engine.streamLogs(talker, (line, stream) => lines.push([stream, line]))).toBe(0);
    // The CLI hands the two streams over on two pipes, so only their timestamps order them.
    lines.sort((a, b) => a[1].localeCompare(b[1]));
    expect(lines.map(([stream, line]) => `${stream} ${line.replace(/^\S+Z /, '')}`)).toEqual(['stdout out-1', 'stderr err-1', 'stdout out-2']);
    for (const [, line] of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\S+Z /);
    const seen: string[] = [];
    const stop = new AbortController();
    const follow = engine.followLogs(talker, (line) => seen.push(line), stop.signal);
    for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect([...seen].sort()).toEqual(['err-1', 'out-1', 'out-2']);
    follow.stop();
    expect(await follow.done).toBe(130);
    expect(await engine.printLogs(talker, 1)).toBe(0);
    // A container with a terminal: one raw stream, its lines ended by \r\n.
    const tty = docker('run', '-d', '-t', '--label', label, IMAGE, 'sh', '-c', 'echo tty-1; echo tty-2; exec sleep 600');
    for (let i = 0; i < 100 && !(await engine.tailLogs(tty, 5)).includes('tty-2'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await engine.tailLogs(tty, 5)).toBe('tty-1\ntty-2');
    // A container that exited mid-line: its last line has no newline and is still its last line.
    const midLine = docker('run', '-d', '--label', label, IMAGE, 'sh', '-c', 'echo first; printf last-without-newline');
    docker('wait', midLine);
    expect(await engine.tailLogs(midLine, 5)).toBe('first\nlast-without-newline');
    const whole: string[] = [];
    await engine.streamLogs(midLine, (line) => whole.push(line.replace(/^\S+Z /, '')));
    expect(whole).toEqual(['first', 'last-without-newline']);
    expect(await engine.streamLogs('ect-no-such-container', () => undefined)).not.toBe(0);
    if (backend === 'auto') expect(dockerCalls).toEqual([]);
  });

  it('watches the project’s container events from a point in time until stopped', async () => {
    const { engine, dockerCalls } = make();
    const events: { id: string; action: string; exitCode?: number }[] = [];
    const since = Date.now() / 1000;
    const id = docker('run', '-d', '--label', label, IMAGE, 'sh', '-c', 'exit 5');
    // Not of the project: never seen.
    const other = docker('run', '-d', '--rm', IMAGE, 'true');
    const watch = engine.watchEvents(project, since, (e) => events.push(e), new AbortController().signal);
    for (let i = 0; i < 100 && !events.some((e) => e.action === 'die'); i++) await new Promise((r) => setTimeout(r, 50));
    watch.stop();
    expect(await watch.done).toBe(130);
    expect(events.filter((e) => e.id === id).map((e) => e.action)).toEqual(expect.arrayContaining(['start', 'die']));
    expect(events.find((e) => e.action === 'die')?.exitCode).toBe(5);
    expect(events.some((e) => e.id === other)).toBe(false);
    if (backend === 'auto') expect(dockerCalls).toEqual([]);
  });

  it('takes a lock once, reads its labels, and removes networks', async () => {
    const { engine, dockerCalls } = make();
    const lock = `${project}-${backend}-lock`;
    const labels = { [`com.docker.compose.project`]: project, 'ephemeral-compose.holder': backend };
    expect(await engine.createLock(lock, labels)).toBe(true);
    expect(await engine.createLock(lock, labels)).toBe(false);
    const found = await engine.containerIdAndLabels(lock);
    expect(found?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(found?.labels).toEqual(labels);
    expect(await engine.containerIdAndLabels(`${lock}-none`)).toBeUndefined();
    await engine.removeContainers([lock]);
    const network = docker('network', 'create', '--label', label, `${project}_${backend}-extra`);
    await engine.removeNetworks([network]);
    expect(docker('network', 'ls', '-q', '--filter', `id=${network}`)).toBe('');
    if (backend === 'auto') expect(dockerCalls).toEqual([]);
  });
});
