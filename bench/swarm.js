'use strict';
// `npm run bench -- swarm`: the founding shape (db, then webserver, scheduler and myapp, each of
// which exits when db does not answer at its start) on a three-node swarm of the test bed's UML
// nodes (scripts/swarm-nodes.sh), deployed
//   - by the action (`engine: swarm`): its main step, then its post step;
//   - by `docker stack deploy --detach=false` of the same file, as a user would without it: until
//     the command returns (the services converged), with the tasks that failed on the way; then
//     `docker stack rm` and a wait until the stack's networks are gone (what post does);
//   - as a preview (the preview action, `engine: swarm`): deployed, deployed again unchanged (a
//     push that changes nothing in the stack), then `down`; against the plain stack deployed
//     again unchanged with `docker stack deploy --detach=false`.
// Prints figures; asserts nothing.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const { runAction } = require('../harness/run-action.js');
const { median } = require('./median.js');

const FOUNDING = path.join(__dirname, '..', '__tests__', 'fixtures', 'founding');
const PREVIEW_ACTION = path.join(__dirname, '..', 'preview');

async function swarmBench(runs) {
  const { startSwarm } = require('../build/__tests__/helpers/swarm-bed.js');
  const bed = startSwarm('bench', 30);
  const docker = (...args) => execFileSync('docker', ['-H', bed.dockerHost, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  const failedTasks = (stack) =>
    docker('stack', 'ps', '--format', '{{.CurrentState}}', stack)
      .split('\n')
      .filter((l) => /^(Failed|Rejected)/.test(l)).length;
  const gone = (stack) => ['service', 'network'].every((k) => docker(k, 'ls', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`).trim() === '');
  const rows = {
    actionMain: [],
    actionPost: [],
    actionFailed: [],
    deployMain: [],
    deployFailed: [],
    deployPost: [],
    previewFirst: [],
    previewAgain: [],
    previewDown: [],
    deployAgain: [],
  };
  const preview = async (stack, command) => {
    const r = await runAction({
      actionDir: PREVIEW_ACTION,
      workspace: FOUNDING,
      inputs: { engine: 'swarm', command, 'project-name': stack, timeout: '300' },
      env: { DOCKER_HOST: bed.dockerHost },
    });
    if (r.main.outcome !== 'success') throw new Error(`the preview action's ${command} failed:\n${r.main.output}`);
    return r.main.durationMs / 1000;
  };
  try {
    for (let i = 0; i < runs; i++) {
      const stack = `bench-sw-${process.pid}-${i}`;
      let failed = 0;
      const r = await runAction({
        workspace: FOUNDING,
        inputs: { engine: 'swarm', 'project-name': stack, timeout: '300' },
        env: { DOCKER_HOST: bed.dockerHost },
        between: async () => {
          failed = failedTasks(stack);
        },
      });
      if (r.main.outcome !== 'success') throw new Error(`the action's run failed:\n${r.main.output}`);
      rows.actionMain.push(r.main.durationMs / 1000);
      rows.actionPost.push(r.post.durationMs / 1000);
      rows.actionFailed.push(failed);

      // The same files as `docker stack deploy` takes them (compose's resolved form would need the
      // action's rewriting; the founding file is in the 3.x format as it is).
      const plain = `bench-plain-${process.pid}-${i}`;
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-bench-swarm-')), 'stack.yaml');
      fs.writeFileSync(file, fs.readFileSync(path.join(FOUNDING, 'compose.yaml'), 'utf8'));
      let started = Date.now();
      docker('stack', 'deploy', '--detach=false', '--resolve-image', 'never', '-c', file, plain);
      rows.deployMain.push((Date.now() - started) / 1000);
      rows.deployFailed.push(failedTasks(plain));
      started = Date.now();
      docker('stack', 'deploy', '--detach=false', '--resolve-image', 'never', '-c', file, plain);
      rows.deployAgain.push((Date.now() - started) / 1000);
      started = Date.now();
      docker('stack', 'rm', plain);
      while (!gone(plain)) await new Promise((res) => setTimeout(res, 200));
      rows.deployPost.push((Date.now() - started) / 1000);

      const previewStack = `bench-pv-${process.pid}-${i}`;
      rows.previewFirst.push(await preview(previewStack, 'deploy'));
      rows.previewAgain.push(await preview(previewStack, 'deploy'));
      rows.previewDown.push(await preview(previewStack, 'down'));
    }
  } finally {
    bed.stop();
  }
  const m = (xs) => median(xs).toFixed(1);
  console.log(`Swarm, the founding shape on three UML nodes (median of ${runs}):`);
  console.log(
    `  main:  action ${m(rows.actionMain)} s, dependents' failed tasks ${rows.actionFailed.join('/')}; docker stack deploy --detach=false ${m(rows.deployMain)} s, failed tasks ${rows.deployFailed.join('/')}`,
  );
  console.log(`  post:  action ${m(rows.actionPost)} s; docker stack rm + networks gone ${m(rows.deployPost)} s`);
  console.log(
    `  preview: deploy ${m(rows.previewFirst)} s, deploy again unchanged ${m(rows.previewAgain)} s, down ${m(rows.previewDown)} s; docker stack deploy --detach=false again unchanged ${m(rows.deployAgain)} s`,
  );
}

module.exports = { swarmBench };
