import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { run } from '../../../src/action/main';
import { FakeDocker, fakeMainDependencies } from '../../helpers/fake-docker';
import { FakeRuntime } from '../../helpers/fake-runtime';

// Inputs the action refuses on its own, before compose or the engine is asked anything that
// changes the engine: the whole main step over the in-memory engine fails with one message that
// names the input, and creates nothing. (Bad compose files and a bad environment, which compose
// and the engine judge, are the real-engine suite's: __tests__/e2e/bad-input.test.ts.)

const STACK = `services:
  db:
    image: mariadb
  web:
    image: app
    depends_on: [db]
`;

async function refused(inputs: Record<string, string>): Promise<{ message: string; calls: string[] }> {
  const dir = tempDir('ec-bad-');
  fs.writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  const runtime = new FakeRuntime({ 'project-name': 'shop', ...inputs });
  const docker = new FakeDocker({ yaml: STACK, behaviour: {}, images: { mariadb: {}, app: {} } });
  await run(fakeMainDependencies(runtime, docker, dir));
  docker.dispose();
  return { message: runtime.failed ?? '', calls: docker.calls };
}

const cases: [string, Record<string, string>, string][] = [
  ['an unknown service in wait-for', { 'wait-for': 'nosuch: none' }, "Input 'wait-for' names service(s) that will not run: nosuch. Services in this stack: db, web."],
  ['a wait-for line that does not parse', { 'wait-for': 'web ping' }, "Input 'wait-for': cannot read 'web ping'"],
  ['an unknown probe', { 'wait-for': 'web: ping' }, "unknown probe 'ping'"],
  ['timeout: abc', { timeout: 'abc' }, "Input 'timeout' must be a number of seconds, got 'abc'"],
  ['timeout: -1', { timeout: '-1' }, "Input 'timeout' must be a number of seconds, got '-1'"],
  ['timeout: 0', { timeout: '0' }, "Input 'timeout' must be greater than 0, got '0'"],
  ['teardown: sometimes', { teardown: 'sometimes' }, "Input 'teardown' must be one of always, never; got 'sometimes'"],
  ['pull: often', { pull: 'often' }, "Input 'pull' must be one of missing, always, never; got 'often'"],
  ['a working-directory that does not exist', { 'working-directory': 'nope' }, "Input 'working-directory': 'nope' does not exist"],
  ['up-flags with an unbalanced quote', { 'up-flags': '--timeout "5' }, "Input 'up-flags': unbalanced double quote"],
  ['down-flags with an unbalanced quote', { 'down-flags': "--rmi 'local" }, "Input 'down-flags': unbalanced single quote"],
  ['a bad project-name', { 'project-name': 'My Project' }, "Input 'project-name'"],
];

describe('inputs refused before anything is created', () => {
  it.each(cases)('%s', async (_label, inputs, says) => {
    const { message, calls } = await refused(inputs);
    expect(message).toContain(says);
    expect(message).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
    expect(calls.filter((c) => /^(create|start|compose start|run|lock|volume create|network connect) /.test(c))).toEqual([]);
  });
});
