import { splitShellWords } from '../../../src/action/shell-words';
import { describeDuration, parseBoolean, parseChoice, parseList, parseSeconds, parseDuration } from '../../../src/action/input-parsing';
import { getInputs, parseExportEnv, parseLogs, parseRun, PREVIEW_ONLY, stackLifetime, STACK_ONLY } from '../../../src/action/inputs';
import { checkSwarmInputs } from '../../../src/action/swarm-stack';
import { InputDefaults, InputNames } from '../../../src/action/names';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

const actionInputs = (file = 'action.yml'): Record<string, { default?: unknown }> =>
  (YAML.parse(fs.readFileSync(path.join(__dirname, '../../../', file), 'utf8')) as { inputs: Record<string, { default?: unknown }> }).inputs;

describe('splitShellWords', () => {
  it.each([
    ['', []],
    ['--build  --force-recreate', ['--build', '--force-recreate']],
    [`--label "a b" 'c "d"' e\\ f`, ['--label', 'a b', 'c "d"', 'e f']],
    ['"$(rm -rf /)" ; `x`', ['$(rm -rf /)', ';', '`x`']],
    ['"a\\"b"', ['a"b']],
    ["''", ['']],
  ])('%j', (text, words) => expect(splitShellWords(text)).toEqual(words));

  it('rejects unbalanced quotes', () => {
    expect(() => splitShellWords('--label "a b')).toThrow('unbalanced double quote');
    expect(() => splitShellWords("it's")).toThrow('unbalanced single quote');
  });
});

describe('input parsers', () => {
  it('reads lists separated by spaces, commas and newlines', () => {
    expect(parseList(' db  web\napp,worker ')).toEqual(['db', 'web', 'app', 'worker']);
  });
  it('checks booleans, choices and seconds, naming the input', () => {
    expect(parseBoolean('build', 'TRUE')).toBe(true);
    expect(() => parseBoolean('build', 'maybe')).toThrow("Input 'build' must be true or false");
    expect(parseChoice('teardown', ' Never ', ['always', 'never'] as const)).toBe('never');
    expect(() => parseChoice('teardown', 'sometimes', ['always', 'never'] as const)).toThrow("one of always, never; got 'sometimes'");
    expect(parseSeconds('timeout', '2.5')).toBe(2.5);
    for (const bad of ['abc', '-1', '0']) expect(() => parseSeconds('timeout', bad)).toThrow("Input 'timeout'");
    expect(parseSeconds('stop-timeout', '0', true)).toBe(0);
  });
});

describe('getInputs', () => {
  const read = (values: Record<string, string>) => (name: string) => values[name] ?? '';
  it('applies defaults', () => {
    const inputs = getInputs(read({}));
    expect(inputs).toMatchObject({
      composeFiles: [],
      workingDirectory: '.',
      pull: 'missing',
      timeoutSeconds: 300,
      host: '',
      dockerHost: '',
      build: false,
      exportEnv: true,
      upFlags: [],
    });
    expect(inputs.post).toEqual({ teardown: 'always', logs: 'on-failure', logLines: 200, stopTimeoutSeconds: 3, downFlags: [], failOnExit: false, logsArtifact: '' });
    expect(inputs.composeCommand).toBeUndefined();
  });
  it('has the defaults the two action.yml files declare, the same for an input both have, and no others', () => {
    const stack = actionInputs();
    const preview = actionInputs('preview/action.yml');
    const defaults = (declared: Record<string, { default?: unknown }>) =>
      Object.fromEntries(
        Object.entries(declared)
          // An expression (the job's token) is the runner's to fill, not a value getInputs applies.
          .filter(([, d]) => d.default !== undefined && d.default !== '' && !(typeof d.default === 'string' && d.default.startsWith('${{')))
          .map(([n, d]) => [n, String(d.default)]),
      );
    expect({ ...defaults(stack), ...defaults(preview) }).toEqual(InputDefaults);
    for (const name of Object.keys(stack).filter((n) => n in preview)) expect([name, preview[name].default]).toEqual([name, stack[name].default]);
    expect(preview['github-token'].default).toBe('${{ github.token }}');
    expect([...new Set([...Object.keys(stack), ...Object.keys(preview)])].sort()).toEqual(Object.values(InputNames).sort());
    // Each action has the inputs of its job only; getInputs knows which.
    expect(
      Object.keys(preview)
        .filter((n) => !(n in stack))
        .sort(),
    ).toEqual([...PREVIEW_ONLY].sort());
    expect(
      Object.keys(stack)
        .filter((n) => !(n in preview))
        .sort(),
    ).toEqual([...STACK_ONLY].sort());
  });
  it('reads every input', () => {
    const inputs = getInputs(
      read({ 'compose-file': 'a.yml\nb.yml', services: 'db web', 'compose-command': 'docker-compose', 'up-flags': '--label "x y"', 'wait-for': 'db: tcp:3306 timeout=5' }),
    );
    expect(inputs.composeFiles).toEqual(['a.yml', 'b.yml']);
    expect(inputs.services).toEqual(['db', 'web']);
    expect(inputs.composeCommand).toEqual(['docker-compose']);
    expect(inputs.upFlags).toEqual(['--label', 'x y']);
    expect(inputs.waitFor.db).toEqual({ probe: { kind: 'tcp', ports: [3306] }, timeoutSeconds: 5 });
  });
  it('fails on bad values with the input name', () => {
    expect(() => getInputs(read({ 'down-flags': '"oops' }))).toThrow("Input 'down-flags': unbalanced double quote");
    expect(() => getInputs(read({ pull: 'sometimes' }))).toThrow("Input 'pull'");
    expect(() => getInputs(read({ 'url-host': 'a b' }))).toThrow("Input 'url-host'");
    expect(() => getInputs(read({ 'docker-host': '10.0.0.5:2375' }))).toThrow("Input 'docker-host' must be an engine address");
    expect(getInputs(read({ 'docker-host': ' ssh://ci@build-1 ' })).dockerHost).toBe('ssh://ci@build-1');
  });
  it('reads the harness inputs: the logs artifact’s name as GitHub takes it, and the stacks’ lifetime', () => {
    expect(getInputs(read({ 'logs-artifact': ' stack-logs-pg16 ', 'max-lifetime': '2h' }))).toMatchObject({ post: { logsArtifact: 'stack-logs-pg16' }, maxLifetimeSeconds: 7200 });
    expect(getInputs(read({})).post.logsArtifact).toBe('');
    expect(() => getInputs(read({ 'logs-artifact': 'logs/db:1' }))).toThrow('Input \'logs-artifact\' must be an artifact name without "/", ":"');
    expect(() => getInputs(read({ 'max-lifetime': 'forever' }))).toThrow("Input 'max-lifetime' must be a duration");
    expect(stackLifetime({ maxLifetimeSeconds: undefined, post: { ...getInputs(read({})).post, teardown: 'never' } })).toBeUndefined();
    expect(stackLifetime(getInputs(read({})))).toBe(6 * 3600);
    expect(stackLifetime(getInputs(read({ teardown: 'never', 'max-lifetime': '1d' })))).toBe(86400);
  });
  it('reads the preview inputs, and lists what is accepted when one is wrong', () => {
    const inputs = getInputs(
      read({ command: 'Deploy', ports: 'ephemeral', ttl: '72h', comment: 'true', 'github-token': ' t0k ', 'url-template': 'https://{service}.pr-{pr}.x' }),
      'preview',
    );
    expect(inputs).toMatchObject({ mode: 'deploy', ports: 'ephemeral', ttlSeconds: 259200, comment: true, githubToken: 't0k', urlTemplate: 'https://{service}.pr-{pr}.x' });
    expect(getInputs(read({}))).toMatchObject({ mode: 'ephemeral', ports: 'as-written', ttlSeconds: undefined, comment: false, urlTemplate: '' });
    // The stack's action is ephemeral whatever is passed; the preview's needs a command.
    expect(getInputs(read({ command: 'deploy' })).mode).toBe('ephemeral');
    expect(() => getInputs(read({ command: 'deplyo' }), 'preview')).toThrow("Input 'command' must be one of deploy, down, sweep; got 'deplyo'.");
    expect(() => getInputs(read({}), 'preview')).toThrow("Input 'command' must be one of deploy, down, sweep; got ''.");
    const preview = (inputs: Record<string, string>) => getInputs(read({ command: 'deploy', ...inputs }), 'preview');
    expect(() => preview({ ttl: '3 weeks' })).toThrow("Input 'ttl' must be a duration like 30m, 72h, 7d, 2s, or a number of seconds (90); got '3 weeks'.");
    expect(() => preview({ 'url-template': 'https://{svc}.x' })).toThrow("Input 'url-template' has unknown placeholder(s) {svc}");
    // The stack's action has no such inputs: what a caller passes for them is not read.
    expect(getInputs(read({ ttl: '3 weeks', 'url-template': 'https://{svc}.x' }))).toMatchObject({ ttlSeconds: undefined, urlTemplate: '' });
    expect(() => getInputs(read({ ports: 'random' }))).toThrow("Input 'ports' must be one of as-written, ephemeral");
  });
  it.each([
    ['30m', 1800, '30m'],
    ['7d', 604800, '7d'],
    ['90', 90, '90s'],
    ['2s', 2, '2s'],
    [' 2H ', 7200, '2h'],
  ])('ttl %j is %d seconds', (text, seconds, shown) => {
    expect(parseDuration('ttl', text)).toBe(seconds);
    expect(describeDuration(seconds)).toBe(shown);
  });
  it.each(['0', '-5m', '1w', '1.5h', ''])('ttl %j is refused', (text) => expect(() => parseDuration('ttl', text)).toThrow("Input 'ttl'"));
});

describe('run', () => {
  it('takes a service, and a command after a colon split as a shell would', () => {
    expect(parseRun('')).toBeUndefined();
    expect(parseRun(' tests ')).toEqual({ service: 'tests', command: [] });
    expect(parseRun('tests: npm test -- --ci "a b"')).toEqual({ service: 'tests', command: ['npm', 'test', '--', '--ci', 'a b'] });
    expect(() => parseRun('npm test')).toThrow("Input 'run' must be a service name");
    expect(() => parseRun('tests: "open')).toThrow("Input 'run': unbalanced double quote");
    expect(getInputs((n) => ({ run: 'tests', 'run-timeout': '90' })[n] ?? '')).toMatchObject({ run: { service: 'tests', command: [] }, runTimeoutSeconds: 90 });
    expect(getInputs(() => '').runTimeoutSeconds).toBeUndefined();
  });
});

describe('the merged inputs', () => {
  it('export-env: true, false, or a prefix (which exports too)', () => {
    expect(parseExportEnv('')).toEqual({ exportEnv: true, envPrefix: '' });
    expect(parseExportEnv('true')).toEqual({ exportEnv: true, envPrefix: '' });
    expect(parseExportEnv('False')).toEqual({ exportEnv: false, envPrefix: '' });
    expect(parseExportEnv(' STACK_ ')).toEqual({ exportEnv: true, envPrefix: 'STACK_' });
    expect(() => parseExportEnv('1STACK')).toThrow("Input 'export-env' must be true, false or a prefix for the names");
    expect(() => parseExportEnv('MY-STACK')).toThrow("got 'MY-STACK'");
  });

  it('logs: when, and optionally how many lines', () => {
    expect(parseLogs('on-failure')).toEqual({ logs: 'on-failure', logLines: 200 });
    expect(parseLogs(' Always  500 ')).toEqual({ logs: 'always', logLines: 500 });
    expect(() => parseLogs('always 0')).toThrow("Input 'logs': the lines to print must be a whole number above 0, got '0'");
    expect(() => parseLogs('always lots')).toThrow("got 'lots'");
    expect(() => parseLogs('sometimes')).toThrow("Input 'logs' must be one of on-failure, always, never; got 'sometimes'.");
    expect(() => parseLogs('always 5 more')).toThrow("Input 'logs' must be one of");
  });
});

describe('engine: swarm', () => {
  const read = (values: Record<string, string>) => (name: string) => values[name] ?? '';

  it('is compose unless swarm is asked; anything else is refused with the choices', () => {
    expect(getInputs(read({})).engine).toBe('compose');
    expect(getInputs(read({ engine: 'swarm' })).engine).toBe('swarm');
    expect(() => getInputs(read({ engine: 'kubernetes' }))).toThrow("Input 'engine'");
    // The preview action takes it too: previews as stacks on a swarm.
    expect(getInputs(read({ engine: 'swarm', command: 'deploy' }), 'preview').engine).toBe('swarm');
  });

  it('refuses, in one message, the inputs Swarm cannot honour', () => {
    expect(() => checkSwarmInputs(getInputs(read({ engine: 'swarm', build: 'true', 'build-cache': 'gha', ports: 'ephemeral', run: 'tests' })))).toThrow(
      "Input 'engine' is swarm, which does not go with 'run', 'build: true' (Swarm builds nothing: push the images, or load them on every node), 'build-cache'.",
    );
    expect(() => checkSwarmInputs(getInputs(read({ engine: 'swarm', 'logs-artifact': 'stack-logs', 'max-lifetime': '2h', 'fail-on-exit': 'true' })))).toThrow(
      "Input 'engine' is swarm, which does not go with 'logs-artifact' (post prints the services' logs with docker service logs, as 'logs' says), 'max-lifetime' (its reaper removes compose projects of one engine; remove a dead run's stack with docker stack rm), 'fail-on-exit'.",
    );
    // ports: ephemeral is Swarm's own choice of published ports; the preview action is welcome.
    expect(() => checkSwarmInputs(getInputs(read({ engine: 'swarm', ports: 'ephemeral' })))).not.toThrow();
    expect(() => checkSwarmInputs(getInputs(read({ engine: 'swarm', command: 'deploy' }), 'preview'))).not.toThrow();
  });
});
