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
