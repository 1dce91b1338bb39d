import { ComposeProject } from '../../../src/compose/compose-project';
import * as a from '../../../src/engine/docker-args';

const project: ComposeProject = { name: 'p', workingDirectory: '/w', files: ['a.yml', 'b y.yml'], envFiles: ['.env.ci'], profiles: ['extra'] };

describe('argument builders', () => {
  it('passes files, env files and profiles to every compose call', () => {
    expect(a.composeConfigArgs(project)).toEqual(['--project-name', 'p', '--file', 'a.yml', '--file', 'b y.yml', '--env-file', '.env.ci', '--profile', 'extra', 'config']);
    // Compose, not the action, chooses the project directory (the first file's folder).
    expect(a.composeConfigArgs(project, ['admin'])).not.toContain('--project-directory');
    expect(a.composeConfigArgs(project, ['admin']).slice(10)).toEqual(['config', '--', 'admin']);
    expect(a.composeOwnNameArgs(project)).toEqual(['--file', 'a.yml', '--file', 'b y.yml', '--env-file', '.env.ci', '--profile', 'extra', 'config', '--format', 'json']);
  });
  it('builds the preview calls', () => {
    expect(a.createVolumeArgs('p_rec', { k: 'v w' })).toEqual(['volume', 'create', '--label', 'k=v w', '--', 'p_rec']);
    expect(a.createLockArgs('p-lock', 'img:1', { l: '1' })).toEqual(['container', 'create', '--name', 'p-lock', '--label', 'l=1', '--', 'img:1', 'ephemeral-compose-lock']);
    expect(a.listContainerNamesArgs(['a=1', 'b=2'])).toEqual(['ps', '--all', '--format', '{{.Names}}', '--filter', 'label=a=1', '--filter', 'label=b=2']);
  });
  it('creates without starting, with the pull policy', () => {
    const base = { build: true, pull: 'never' as const, services: ['db', '$(x)'], upFlags: ['--quiet-pull'] };
    expect(a.composeCreateArgs(project, base).slice(10)).toEqual(['up', '--no-start', '--build', '--pull', 'never', '--no-deps', '--quiet-pull', '--', 'db', '$(x)']);
  });
  it('starts services through compose, and asks for its version', () => {
    expect(a.composeStartArgs(project, ['api', 'web']).slice(10)).toEqual(['up', '--detach', '--no-deps', '--no-recreate', '--no-build', '--pull', 'never', '--', 'api', 'web']);
    expect(a.composeVersionArgs()).toEqual(['version']);
  });
  it('tears down with volumes, orphans and the stop grace', () => {
    expect(a.composeDownArgs(project, 0, ['--rmi', 'local']).slice(10)).toEqual(['down', '--volumes', '--remove-orphans', '--timeout', '0', '--rmi', 'local']);
  });
  it('filters engine calls by the project label', () => {
    expect(a.listContainersArgs('p')).toEqual(['ps', '--all', '--quiet', '--no-trunc', '--filter', 'label=com.docker.compose.project=p']);
    expect(a.eventsArgs('p', 1700000000.5)).toEqual([
      'events',
      '--format',
      '{{json .}}',
      '--filter',
      'type=container',
      '--filter',
      'label=com.docker.compose.project=p',
      '--since',
      '1700000000.500',
    ]);
  });
  it('deals a batch of starts into a few calls', () => {
    expect(a.startGroups(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([
      ['a', 'c', 'e'],
      ['b', 'd'],
    ]);
    expect(a.startGroups(['a'], 6)).toEqual([['a']]);
    expect(a.startGroups([], 6)).toEqual([]);
  });
  it('runs a healthcheck test as the engine would', () => {
    expect(a.healthcheckCommand(['CMD', 'pg_isready', '-U', 'x'])).toEqual(['pg_isready', '-U', 'x']);
    expect(a.healthcheckCommand(['CMD-SHELL', 'curl -f localhost || exit 1'])).toEqual(['/bin/sh', '-c', 'curl -f localhost || exit 1']);
    expect(a.healthcheckCommand(['NONE'])).toBeUndefined();
    // The image's SHELL, as the engine uses it for CMD-SHELL.
    expect(a.healthcheckCommand(['CMD-SHELL', 'ping'], ['/bin/bash', '-o', 'pipefail', '-c'])).toEqual(['/bin/bash', '-o', 'pipefail', '-c', 'ping']);
  });
});
