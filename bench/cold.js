'use strict';
// `npm run bench -- cold`: the founding shape from an empty engine, its images pulled from the test
// registry (harness/registry-bed.js: a namespace's registry behind a 60 MB/s link), as on a cold
// hosted runner. Each variant starts with none of the stack's images on the engine:
//   - the action's main, and again with the registry answering 503 to its first 3 requests;
//   - pull-then-start: every image pulled first (`compose pull`), then the action's main;
//   - `docker compose up -d --wait`;
//   - the ideal: from each image's own pull time (pulled alone, from empty) and each service's
//     readiness time once started (the warm main of pull-then-start), each image fetched in the
//     order the stack needs it, one after the other over the one link, and each service started
//     as soon as its image is in and what it depends on is ready.
// Prints figures and the issue's targets; asserts nothing.

const { execFile } = require('child_process');
const path = require('path');
const { runAction } = require('../harness/run-action.js');
const { median } = require('./median.js');
const { removeBedImages, startRegistryBed } = require('../harness/registry-bed.js');

const DIR = path.join(__dirname, 'cold');
// The action's settle window for a service judged by running (src/plan/wait-for.ts).
const RUNNING_SETTLE_MS = 3000;
const IMAGES = { db: 'db', migrate: 'oneshot', webserver: 'web', scheduler: 'web' };
// The stack's levels, as the action plans them: what each service waits for.
const NEEDS = { db: [], migrate: ['db'], webserver: ['db', 'migrate'], scheduler: ['db', 'migrate'] };

/** Runs a command without blocking this process (the registry's proxy lives in it); wall ms. */
function timed(command, args, env) {
  const t = Date.now();
  return new Promise((resolve, reject) =>
    execFile(command, args, { cwd: DIR, env, maxBuffer: 64 << 20 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${command} ${args.join(' ')}: ${stderr || e.message}`)) : resolve(Date.now() - t),
    ),
  );
}

/**
 * Arrival of each image, fetched in the order of need one after the other; then the schedule. A
 * service judged only by running stays unsettled for `settleMs` from its start (the action's rule:
 * a crash right after start must fail the step); what depends on it does not wait for that.
 */
function ideal(pullMs, readyMs, settleMs = {}) {
  const order = ['db', 'migrate', 'webserver', 'scheduler'];
  const arrival = {};
  let t = 0;
  for (const s of order) {
    const image = IMAGES[s];
    if (arrival[image] === undefined) arrival[image] = t += pullMs[image];
  }
  const ready = {};
  const settled = {};
  for (const s of order) {
    const start = Math.max(arrival[IMAGES[s]], ...NEEDS[s].map((d) => ready[d]));
    ready[s] = start + readyMs[s];
    settled[s] = start + Math.max(readyMs[s], settleMs[s] ?? 0);
  }
  return Math.max(...Object.values(settled));
}

async function cold(runs) {
  const bed = await startRegistryBed({ rateMBps: 60 });
  const env = { ...process.env, EC_COLD_REGISTRY: bed.host };
  const emptyEngine = async () => removeBedImages([...new Set(Object.values(IMAGES))]);
  const action = async (tag) => {
    const { main, post } = await runAction({
      workspace: DIR,
      env: { EC_COLD_REGISTRY: bed.host },
      inputs: { 'project-name': `bench-cold-${tag}-${process.pid}`, 'stop-timeout': '0' },
    });
    if (main.outcome !== 'success' || post?.exitCode !== 0) throw new Error(`bench run failed: ${main.output.slice(-2000)}`);
    return { ms: main.durationMs, services: JSON.parse(main.outputs.services) };
  };
  const rows = [];
  try {
    for (let i = 0; i < runs; i++) {
      const row = {};
      await emptyEngine();
      row.main = (await action(`main-${i}`)).ms;
      // The same from empty with the registry answering 503 to its first 3 requests.
      await emptyEngine();
      bed.fault({ kind: 'status', status: 503, count: 3 });
      row.faulted = (await action(`faulted-${i}`)).ms;
      bed.clearFaults();
      await emptyEngine();
      const pulled = await timed('docker', ['compose', '-p', `bench-cold-pull-${i}`, 'pull', '-q'], env);
      const warm = await action(`warm-${i}`);
      row.pullThenStart = pulled + warm.ms;
      await emptyEngine();
      const up = `bench-cold-up-${process.pid}-${i}`;
      const t = Date.now();
      row.upError = await timed('docker', ['compose', '-p', up, 'up', '-d', '--wait'], env).then(
        () => '',
        (e) => e.message.trim().split('\n').pop(),
      );
      row.up = Date.now() - t;
      await timed('docker', ['compose', '-p', up, 'down', '-v', '-t', '0'], env);
      const pullMs = {};
      for (const image of new Set(Object.values(IMAGES))) {
        await emptyEngine();
        pullMs[image] = await timed('docker', ['pull', '-q', bed.image(image)], env);
      }
      const readyMs = {};
      const settleMs = {};
      for (const [s, o] of Object.entries(warm.services)) {
        readyMs[s] = (o.readySeconds ?? 0) * 1000;
        if (o.readiness === 'running') settleMs[s] = RUNNING_SETTLE_MS;
      }
      row.pullMs = pullMs;
      row.ideal = ideal(pullMs, readyMs, settleMs);
      rows.push(row);
      const f = (ms) => `${(ms / 1000).toFixed(1)} s`;
      console.log(
        `  run ${i + 1}: main ${f(row.main)}, with 503s ${f(row.faulted)}, pull-then-start ${f(row.pullThenStart)}, compose up -d --wait ${f(row.up)}${row.upError ? ` (failed: ${row.upError})` : ''}, ideal ${f(row.ideal)} (pulls alone: ${Object.entries(
          pullMs,
        )
          .map(([k, v]) => `${k} ${f(v)}`)
          .join(', ')})`,
      );
    }
  } finally {
    await emptyEngine();
    bed.stop();
  }
  const m = (k) => median(rows.map((r) => r[k]));
  console.log(`cold runner (empty engine, registry at 60 MB/s), median of ${runs}:`);
  console.log(`  main ${(m('main') / 1000).toFixed(1)} s; ideal ${(m('ideal') / 1000).toFixed(1)} s: ratio ${(m('main') / m('ideal')).toFixed(3)} (target <= 1.10)`);
  console.log(`  main over pull-then-start (${(m('pullThenStart') / 1000).toFixed(1)} s): ${(m('main') / m('pullThenStart')).toFixed(3)} (target <= 0.8)`);
  console.log(
    `  main with the registry answering 503 to its first 3 requests: ${(m('faulted') / 1000).toFixed(1)} s, ${(m('faulted') / m('main')).toFixed(3)} x the fault-free main (target <= 1.2)`,
  );
  console.log(`  compose's own 'up -d --wait': ${(m('up') / 1000).toFixed(1)} s (what depends on db starts once db has started, not once it listens)`);
}

module.exports = { cold, ideal };
