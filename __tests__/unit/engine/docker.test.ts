import { isUnknownCliCommand } from '../../../src/engine/compose-commands';
import { Docker, mergeTimestampedLogs } from '../../../src/engine/docker';
import { CommandNotFoundError, ProcessRunner, RunResult } from '../../../src/engine/process-runner';
import { cliName } from '../../../src/compose/compose-cli';

describe('compose detection and logs', () => {
  it('tells a missing compose plugin from a compose error', () => {
    expect(isUnknownCliCommand({ code: 1, stdout: '', stderr: 'docker: unknown command: docker compose' })).toBe(true);
    expect(isUnknownCliCommand({ code: 1, stdout: '', stderr: "docker: 'compose' is not a docker command." })).toBe(true);
    expect(isUnknownCliCommand({ code: 1, stdout: '', stderr: 'yaml: line 3: mapping values are not allowed' })).toBe(false);
  });
  it('merges stdout and stderr by timestamp', () => {
    const out = '2026-01-01T00:00:00.1Z one\n2026-01-01T00:00:00.300000001Z three\n';
    const err = '2026-01-01T00:00:00.2Z two\n';
    expect(mergeTimestampedLogs(out, err, 10)).toBe('one\ntwo\nthree');
    expect(mergeTimestampedLogs(out, err, 1)).toBe('three');
  });
});

describe('finding compose', () => {
  /** A runner that answers `version --short` per command, as those programs would. */
  function runnerFor(answers: Record<string, RunResult | 'missing'>): { runner: ProcessRunner; ran: string[] } {
    const ran: string[] = [];
    const run = async (command: string, argv: string[]): Promise<RunResult> => {
      const name = argv[0] === 'info' ? 'docker info' : [command, ...argv.slice(0, argv.indexOf('version'))].join(' ');
      ran.push(name);
      const a = answers[name];
      if (a === undefined || a === 'missing') throw new CommandNotFoundError(`${command} not found`);
      return a;
    };
    return { runner: { run } as unknown as ProcessRunner, ran };
  }
  const ok = (stdout: string): RunResult => ({ code: 0, stdout, stderr: '' });
  const noPlugin: RunResult = { code: 1, stdout: '', stderr: 'docker: unknown command: docker compose' };

  const plugins = (list: object[]): RunResult => ok(JSON.stringify(list));
  const buildx = { Name: 'buildx', Path: '/usr/libexec/docker/cli-plugins/docker-buildx', Version: '0.29.1' };

  it('takes the CLI plugin when it is a supported v2, called as the binary the CLI names, its version from the same list', async () => {
    const { runner, ran } = runnerFor({
      'docker compose': ok('Docker Compose version 2.40.3-3\n'),
      'docker info': plugins([buildx, { Name: 'compose', Path: '/home/u/.docker/cli-plugins/docker-compose', Version: '2.40.3-3' }]),
    });
    const found = await new Docker(runner, {}).findCompose(undefined, '/');
    expect(found).toEqual({ cli: { command: '/home/u/.docker/cli-plugins/docker-compose', baseArgs: [], shownAs: 'docker compose' }, version: '2.40.3-3' });
    expect(cliName(found.cli)).toBe('docker compose');
    // No `compose version` run: the list said which version it is.
    expect(ran).toEqual(['docker info']);
  });

  it('asks the plugin its version where the list gives none', async () => {
    const { runner, ran } = runnerFor({
      'docker compose': ok('Docker Compose version v2.38.2\n'),
      'docker info': plugins([{ Name: 'compose', Path: '/usr/libexec/docker/cli-plugins/docker-compose' }]),
    });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).resolves.toEqual({
      cli: { command: '/usr/libexec/docker/cli-plugins/docker-compose', baseArgs: [], shownAs: 'docker compose' },
      version: 'v2.38.2',
    });
    expect(ran).toEqual(['docker info', 'docker compose']);
  });

  it('refuses a plugin older than the minimum from the list alone', async () => {
    const { runner, ran } = runnerFor({ 'docker info': plugins([{ Name: 'compose', Path: '/x/docker-compose', Version: 'v2.20.3' }]) });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).rejects.toThrow(/Compose v2\.20\.3 \('docker compose'\) is older than 2\.26\.1/);
    expect(ran).toEqual(['docker info']);
  });

  it.each([
    ['the CLI cannot list its plugins', { code: 1, stdout: '', stderr: 'unknown flag' }],
    ['the list has no compose', plugins([buildx])],
    ['the plugin is broken', plugins([{ Name: 'compose', Path: '/x/docker-compose', Err: 'not executable' }])],
    ['the list is not JSON', ok('<no value>')],
  ])('calls compose through the CLI where %s', async (_why, info) => {
    const { runner } = runnerFor({ 'docker compose': ok('Docker Compose version 2.40.3-3\n'), 'docker info': info });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).resolves.toEqual({ cli: { command: 'docker', baseArgs: ['compose'] }, version: '2.40.3-3' });
  });

  it('takes a v2 binary named docker-compose where the CLI has no plugin', async () => {
    const { runner } = runnerFor({ 'docker compose': noPlugin, 'docker-compose': ok('Docker Compose version v2.38.2') });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).resolves.toEqual({ cli: { command: 'docker-compose', baseArgs: [] }, version: 'v2.38.2' });
  });

  it('refuses Compose v1 before anything else runs', async () => {
    const { runner, ran } = runnerFor({ 'docker compose': noPlugin, 'docker-compose': ok('docker-compose version 1.29.2, build unknown') });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).rejects.toThrow(/Compose v1 \('docker-compose' 1\.29\.2\) is end-of-life since 2023/);
    expect(ran.filter((r) => r !== 'docker info')).toEqual(['docker compose', 'docker-compose']);
  });

  it('says what it tried when there is no compose at all, and what an explicit command lacks', async () => {
    const { runner } = runnerFor({ 'docker compose': noPlugin });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).rejects.toThrow('No Docker Compose found (docker compose: not installed; docker-compose: not found)');
    await expect(new Docker(runnerFor({}).runner, {}).findCompose(['my-compose', '--x'], '/')).rejects.toThrow(
      "Input 'compose-command' is 'my-compose --x', but 'my-compose' was not found on PATH.",
    );
  });

  it('says the Docker CLI is missing when there is no docker, whatever compose there is', async () => {
    const { runner } = runnerFor({ 'docker-compose': ok('Docker Compose version v2.38.2') });
    await expect(new Docker(runner, {}).findCompose(undefined, '/')).rejects.toThrow('The Docker CLI (docker) was not found on PATH');
  });
});
