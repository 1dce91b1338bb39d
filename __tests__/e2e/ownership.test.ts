import * as path from 'path';
import { expectIntact, FIXTURES, foreignProject, projectsRemovedAfterEach, runAction } from '../helpers/engine';

// The action never touches a stack it did not create: another project under the same name (a
// preview kept with teardown: never, a neighbour on a shared engine) survives runs that fail
// early and runs that name it on purpose, checked by the ids of its container and volume.

const project = projectsRemovedAfterEach();
const BAD = path.join(FIXTURES, 'bad');

describe('another project under the same name survives', () => {
  it('(a) a run that fails on its compose file', async () => {
    const name = project('own-file');
    const foreign = foreignProject(name);
    const result = await runAction({ workspace: BAD, inputs: { 'project-name': name, 'compose-file': 'unknown-service-key.yml' } });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toContain("unknown key 'depend_on'");
    // Compose refused the files before anything was created, and post knows it.
    expect(result.post?.output).toContain(`The main step stopped before creating anything, so project ${name} is not touched.`);
    expect(result.post?.output).not.toMatch(/Logs of|Removed project/);
    expectIntact(name, foreign);
  });

  it('(a) a run whose compose file compose itself refuses (a dependency cycle)', async () => {
    const name = project('own-cycle');
    const foreign = foreignProject(name);
    const result = await runAction({ workspace: BAD, inputs: { 'project-name': name, 'compose-file': 'cycle.yml' } });
    expect(result.main.outcome).toBe('failure');
    expect(result.post?.output).toContain(`stopped before creating anything, so project ${name} is not touched`);
    expectIntact(name, foreign);
  });

  it('(b) a run that fails on an input', async () => {
    const name = project('own-input');
    const foreign = foreignProject(name);
    const result = await runAction({ workspace: BAD, inputs: { 'project-name': name, 'compose-file': 'ok.yml', teardown: 'sometimes' } });
    expect(result.main.errors.join('\n')).toContain("Input 'teardown' must be one of always, never; got 'sometimes'");
    expect(result.post?.output).toContain('saved no state, so it created nothing');
    expectIntact(name, foreign);
  });

  it('(c) a run that names it explicitly is refused before creating anything', async () => {
    const name = project('own-named');
    const foreign = foreignProject(name);
    const result = await runAction({ workspace: BAD, inputs: { 'project-name': name, 'compose-file': 'ok.yml', logs: 'always' } });
    expect(result.main.outcome).toBe('failure');
    const message = result.main.errors.join('\n');
    expect(message).toContain(`Project '${name}' already exists on this engine: 1 container (`);
    expect(message).toContain(`1 volume (${foreign.volume})`);
    expect(message).toContain('this run did not create it');
    expect(message).toContain(`docker rm -f -v $(docker ps -aq --filter label=com.docker.compose.project=${name})`);
    // Neither its logs printed nor anything removed.
    expect(result.post?.output).not.toMatch(/Logs of|Removed project/);
    expectIntact(name, foreign);
  });
});
