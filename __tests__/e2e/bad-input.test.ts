import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dockerFor } from '../../src/action/dependencies';
import { engineEnvironment, getInputs } from '../../src/action/inputs';
import { readStack, resolveProject } from '../../src/lifecycle/prepare';
import { expectFailure, expectIntact, FIXTURES, foreignProject, HarnessResult, leftovers, projectsRemovedAfterEach, runAction, servicesOutput } from '../helpers/engine';

// Bad compose files, bad inputs and a bad environment on the real engine: the step fails with a
// message that says what and where, and nothing is left behind. Cases that must fail before
// anything is created run with `teardown: never`, so anything main created would still be there
// after post, and beside another project of the same name, which must come through untouched
// (post removes only what its own run created). Bad compose files are judged by compose itself,
// through main's own preparation in this process; two of them also go through the whole action.

const BAD = path.join(FIXTURES, 'bad');
const project = projectsRemovedAfterEach();

interface BadCase {
  inputs: Record<string, string>;
  env?: Record<string, string>;
  /** Fragments the step's error must hold. */
  says: (string | RegExp)[];
  /** The failure comes after compose created something (post must remove it). */
  creates?: boolean;
}

async function expectBadInput(name: string, c: BadCase): Promise<HarnessResult> {
  const foreign = c.creates ? undefined : foreignProject(name);
  const result = await runAction({
    workspace: BAD,
    inputs: { 'project-name': name, ...(c.creates || 'teardown' in c.inputs ? {} : { teardown: 'never' }), ...c.inputs },
    env: c.env,
  });
  expectFailure(result, c.says);
  expect(result.post?.exitCode).toBe(0);
  if (foreign) expectIntact(name, foreign);
  else expect(leftovers(name)).toEqual([]);
  return result;
}

const file = (f: string, extra: Record<string, string> = {}) => ({ 'compose-file': f, ...extra });

/**
 * Main's refusal of a case, from the steps main takes before it creates anything (its inputs, the
 * project, compose's configuration and the action's review of the files), run here instead of a
 * whole action run per case: the same code and the same compose, a fraction of the processes.
 */
async function refusal(c: BadCase): Promise<string> {
  const inputs = getInputs((name) => c.inputs[name] ?? '', 'stack');
  const env = engineEnvironment(inputs, { ...process.env, ...c.env });
  try {
    await readStack(dockerFor(env, new AbortController().signal), inputs, resolveProject(inputs, env, BAD));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('main would have gone on: nothing refused the case');
}

const composeFiles: [string, BadCase][] = [
  ['invalid YAML', { inputs: file('invalid-yaml.yml'), says: ['invalid-yaml.yml:4:1: All mapping items must start at the same column'] }],
  ['not a mapping', { inputs: file('not-a-mapping.yml'), says: ["not-a-mapping.yml:1:1: the file must be a mapping with a 'services' key"] }],
  ['no services', { inputs: file('no-services.yml'), says: ["no-services.yml: no 'services' defined"] }],
  ['a service that is not a mapping', { inputs: file('service-not-mapping.yml'), says: ["service-not-mapping.yml:2:3: service 'web' must be a mapping"] }],
  ['an unknown top-level key', { inputs: file('unknown-top-level.yml'), says: ["unknown-top-level.yml:4:1: unknown top-level key 'service' (did you mean 'services'?)"] }],
  [
    'an unknown service key',
    { inputs: file('unknown-service-key.yml'), says: ["unknown-service-key.yml:4:5: unknown key 'depend_on' in service 'web' (did you mean 'depends_on'?)"] },
  ],
  ['an unknown key in a merged anchor', { inputs: file('merge-unknown.yml'), says: ["merge-unknown.yml:4:3: unknown key 'restrat' in service 'one'"] }],
  ['a bad service name', { inputs: file('bad-names.yml'), says: ["bad-names.yml:5:3: service name 'web app'"] }],
  ['values of the wrong shape', { inputs: file('wrong-shapes.yml'), says: ["wrong-shapes.yml:4:5: 'ports' in service 'web' must be a list, not a single value"] }],
  ['bad port syntax', { inputs: file('bad-port.yml'), says: ["bad-port.yml:4:13: service 'web': bad container port 'abc' in port '80:abc'"] }],
  ['depends_on an unknown service', { inputs: file('unknown-dependency.yml'), says: [/web.*dbx/, /undefined|unknown/] }],
  ['a dependency cycle', { inputs: file('cycle.yml'), says: [/[Cc]ircular|cycle/, /\ba\b/, /\bb\b/] }],
  ['a duplicate key', { inputs: file('duplicate-key.yml'), says: ["duplicate-key.yml:4:3: duplicate key 'web'"] }],
  ['an empty file', { inputs: file('empty.yml'), says: ['empty.yml: is empty'] }],
  ['a missing file', { inputs: file('nothere.yml'), says: ['Compose file not found: nothere.yml', `(looked in ${BAD})`] }],
  ['an unset ${VAR:?message}', { inputs: file('interpolation.yml'), says: ['EC_TEST_TOKEN', 'set EC_TEST_TOKEN to the API token'] }],
];

// Inputs the action refuses on its own are unit tests (__tests__/unit/action/bad-input.test.ts);
// this one is compose's to judge (the services its configuration defines).
const inputs: [string, BadCase][] = [
  ['an unknown service in services', { inputs: file('ok.yml', { services: 'web nosuch' }), says: ["Unknown service 'nosuch' in 'services'", 'defines: db, web'] }],
];

describe('bad compose files', () => {
  it.each(composeFiles)('%s', async (_label, c) => {
    const message = await refusal(c);
    for (const fragment of c.says) {
      if (typeof fragment === 'string') expect(message).toContain(fragment);
      else expect(message).toMatch(fragment);
    }
  });

  it.each(composeFiles.filter(([label]) => ['invalid YAML', 'an unknown service key'].includes(label)))('%s, through the whole action', async (_label, c) => {
    await expectBadInput(project('badfile'), c);
  });

  it('a directory instead of a file; a file of several MB is read as compose reads it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ect-files-'));
    fs.mkdirSync(path.join(dir, 'compose.yaml'));
    fs.writeFileSync(
      path.join(dir, 'big.yaml'),
      `services:\n  web:\n    image: ephemeral-compose-test/busybox:latest\n    command: ["sleep", "30"]\n${'# padding\n'.repeat(400000)}`,
    );
    await expectBadInput(project('dir'), { inputs: { 'working-directory': dir }, says: ['compose.yaml: is a directory, not a compose file'] });
    // No size limit of the action's own: compose decides what it reads.
    const name = project('big');
    const result = await runAction({ workspace: dir, inputs: { 'project-name': name, 'compose-file': 'big.yaml', pull: 'never', 'stop-timeout': '0' } });
    expect(result.main.errors).toEqual([]);
    expect(Object.keys(servicesOutput(result))).toEqual(['web']);
    expect(leftovers(name)).toEqual([]);
  });

  it('valid anchors and merge keys work', async () => {
    const name = project('anchors');
    const result = await runAction({ workspace: BAD, inputs: { 'project-name': name, 'compose-file': 'anchors.yml' } });
    expect(result.main.errors).toEqual([]);
    expect(Object.keys(servicesOutput(result)).sort()).toEqual(['one', 'two']);
    expect(leftovers(name)).toEqual([]);
  });
});

describe('bad inputs', () => {
  it.each(inputs)('%s', async (_label, c) => {
    await expectBadInput(project('badinput'), c);
  });
});

describe('a bad environment', () => {
  function pathWith(...commands: string[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ect-path-'));
    for (const c of commands) {
      const found = ['/usr/local/bin', '/usr/bin', '/bin'].map((d) => path.join(d, c)).find((p) => fs.existsSync(p));
      if (!found) throw new Error(`${c} is not installed`);
      fs.symlinkSync(found, path.join(dir, c));
    }
    return dir;
  }

  it('no Docker CLI', async () => {
    await expectBadInput(project('nocli'), { inputs: file('ok.yml'), env: { PATH: pathWith() }, says: ['The Docker CLI (docker) was not found on PATH'] });
  });

  it('no compose, v1 or v2', async () => {
    // An empty DOCKER_CONFIG: no CLI plugins, so no `docker compose` either.
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'ect-config-'));
    await expectBadInput(project('nocompose'), {
      inputs: file('ok.yml'),
      env: { PATH: pathWith('docker'), DOCKER_CONFIG: config },
      says: ['No Docker Compose found', 'docker compose: not installed', 'docker-compose: not found'],
    });
  });

  it('a compose-command that is not installed', async () => {
    await expectBadInput(project('nocmd'), {
      inputs: file('ok.yml', { 'compose-command': 'my-compose --verbose' }),
      says: ["Input 'compose-command' is 'my-compose --verbose', but 'my-compose' was not found on PATH"],
    });
  });

  it('a daemon that does not answer, naming the DOCKER_HOST in use', async () => {
    const host = `unix://${os.tmpdir()}/ect-no-daemon-${process.pid}.sock`;
    await expectBadInput(project('nodaemon'), { inputs: file('ok.yml'), env: { DOCKER_HOST: host }, says: [`The Docker daemon at ${host} did not answer`] });
  });

  it('an image that cannot be pulled, naming the image, the service and the registry', async () => {
    // Docker Hub is not reachable here (its name does not resolve): tried once, as trying again cannot help.
    const first = await expectBadInput(project('noimage'), {
      inputs: file('missing-image.yml'),
      creates: true,
      says: ["image 'ephemeral-compose-test/no-such-image:1.0' (service web) from docker.io failed", 'registry-1.docker.io'],
    });
    expect(first.main.output.match(/Pulling ephemeral-compose-test\/no-such-image/g)).toHaveLength(1);
    await expectBadInput(project('noimage-later'), {
      inputs: file('missing-image-later.yml'),
      creates: true,
      says: ["image 'ephemeral-compose-test/no-such-image:2.0' (service web) from docker.io failed"],
    });
  });
});

describe('no shell anywhere', () => {
  it('paths, file names, env files and flags with spaces, quotes, $(), ; and backticks are taken literally', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ect-shell-'));
    // No newline in the folder's name: compose (2.40) turns the path into a file:// URL to
    // validate the file, and refuses the control character itself.
    const dir = path.join(root, `a b;"c" 'd' $(touch pwned-dir) \`touch pwned-tick-dir\``);
    fs.mkdirSync(dir);
    const composeFile = `my "compose" $(touch pwned-file); x.yml`;
    fs.writeFileSync(
      path.join(dir, composeFile),
      'services:\n  web:\n    image: ephemeral-compose-test/busybox\n    command: ["sh", "-c", "echo \\"$$GREETING\\"; exec sleep 600"]\n    environment:\n      GREETING: ${GREETING}\n',
    );
    const envFile = `vars $(touch pwned-env);.env`;
    fs.writeFileSync(path.join(dir, envFile), 'GREETING=hi $(touch pwned-var); `touch pwned-tick`\n');
    const name = project('shell');
    const result = await runAction({
      workspace: root,
      inputs: {
        'project-name': name,
        'working-directory': path.basename(dir),
        'compose-file': composeFile,
        'env-file': envFile,
        'wait-for': 'web: log:/hi \\$\\(touch pwned-var\\); `touch pwned-tick`/',
        'up-flags': `--no-recreate`,
        'down-flags': `--rmi "local"`,
      },
    });
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    for (const where of [root, dir, process.cwd()]) {
      expect(fs.readdirSync(where).filter((f) => f.startsWith('pwned'))).toEqual([]);
    }
    expect(result.post?.exitCode).toBe(0);
    expect(leftovers(name)).toEqual([]);
  });
});

describe('valid input compose accepts is not refused', () => {
  const VALID = path.join(FIXTURES, 'valid-input');

  // web publishes a port nothing listens on: judged by running, so only the files are on trial.
  async function up(files: string[], waitFor = 'web: running'): Promise<{ result: HarnessResult; services: Record<string, { ports: unknown[] }> }> {
    const name = project('valid');
    const result = await runAction({ workspace: VALID, inputs: { 'project-name': name, 'compose-file': files.join('\n'), 'stop-timeout': '0', 'wait-for': waitFor } });
    expect(result.post?.exitCode).toBe(0);
    expect(leftovers(name)).toEqual([]);
    return { result, services: servicesOutput(result) };
  }

  it("service names starting with '_' or '.', and an override with only networks and volumes", async () => {
    for (const files of [['compose.yaml'], ['compose.yaml', 'networks-only.yaml']]) {
      const { result, services } = await up(files);
      expect(result.main.errors).toEqual([]);
      expect(Object.keys(services).sort()).toEqual(['.dotted', '_private', 'web']);
    }
  });

  it('the !reset and !override merge tags', async () => {
    const { result, services } = await up(['compose.yaml', 'reset.yaml']);
    expect(result.main.errors).toEqual([]);
    expect(Object.keys(services).sort()).toEqual(['_private', 'web']);
    expect(services.web.ports).toEqual([]);
  });

  it('an override file with comments only', async () => {
    const { result, services } = await up(['compose.yaml', 'comments-only.yaml']);
    expect(result.main.errors).toEqual([]);
    expect(Object.keys(services).sort()).toEqual(['.dotted', '_private', 'web']);
  });

  it('a file of several YAML documents', async () => {
    const { result, services } = await up(['multi-document.yaml'], '');
    expect(result.main.errors).toEqual([]);
    expect(Object.keys(services).sort()).toEqual(['first', 'second']);
  });
});
