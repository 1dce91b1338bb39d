import { execFileSync } from 'child_process';
import * as path from 'path';
import { expectCancelledAndClean, FIXTURES, leftovers, projectsRemovedAfterEach, runAction, servicesOutput } from '../helpers/engine';

// `run`: the tests kept as a service of the compose file, run in the foreground once what they
// need is ready; their output is the step's, their exit code the step's result.

const project = projectsRemovedAfterEach();
const RUN = path.join(FIXTURES, 'run');

/** Whether a `compose run` container of the project is running right now. */
const runContainerUp = (name: string): boolean =>
  execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${name}`, '--filter', 'label=com.docker.compose.oneoff=True'], { encoding: 'utf8' }).trim() !==
  '';

it('runs the tests after db is ready, streams their output while they run, and passes with exit 0', async () => {
  const name = project('run-pass');
  let seenWhileRunning = false;
  const result = await runAction({
    workspace: RUN,
    inputs: { 'project-name': name, run: 'tests', 'stop-timeout': '0' },
    onMainOutput: (out) => {
      if (!seenWhileRunning && out.includes('tests: db answered') && !out.includes('tests: done')) seenWhileRunning = runContainerUp(name);
    },
  });
  expect(result.main.errors).toEqual([]);
  expect(result.main.outputs['run-exit-code']).toBe('0');
  expect(result.main.output).toMatch(/tests: started[\s\S]*tests: db answered[\s\S]*tests: done[\s\S]*tests exited with 0/);
  expect(seenWhileRunning).toBe(true);
  // db was judged; the tests were not (they are not a service the stack waits for).
  expect(Object.keys(servicesOutput(result))).toEqual(['db']);
  expect(leftovers(name)).toEqual([]);
});

it('fails the step with the exit code of a failing run, and post prints the logs', async () => {
  const name = project('run-fail');
  const result = await runAction({ workspace: RUN, inputs: { 'project-name': name, run: 'tests: sh -c "echo 1 failed; exit 3"', 'stop-timeout': '0' } });
  expect(result.main.outcome).toBe('failure');
  expect(result.main.errors).toEqual(['tests exited with 3.']);
  expect(result.main.outputs['run-exit-code']).toBe('3');
  expect(result.main.output).toContain('1 failed');
  expect(result.post?.output).toContain('Logs of db');
  expect(leftovers(name)).toEqual([]);
});

it('ends a run that outlives run-timeout, and a cancel during the run leaves nothing', async () => {
  const slow = project('run-timeout');
  const timedOut = await runAction({ workspace: RUN, inputs: { 'project-name': slow, run: 'tests: sleep 60', 'run-timeout': '3', 'stop-timeout': '0' } });
  expect(timedOut.main.errors).toEqual(["'tests' did not finish within run-timeout (3 s)."]);
  expect(timedOut.main.durationMs).toBeLessThan(30000);
  expect(leftovers(slow)).toEqual([]);
  const cancelled = project('run-cancel');
  const result = await runAction({ workspace: RUN, inputs: { 'project-name': cancelled, run: 'tests', 'stop-timeout': '0' }, cancel: { whenOutput: /tests: started/ } });
  expectCancelledAndClean(result, cancelled);
});
