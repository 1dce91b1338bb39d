#!/usr/bin/env node
'use strict';
// `npm run bench`: the action's main time over the stack's own critical path (readiness times
// along the dependency chain, from the engine's events), and how long after the engine reports a
// container healthy the action notices. Prints figures; asserts nothing (not a timed test).

const { spawn } = require('child_process');
const path = require('path');
const { runAction } = require('../harness/run-action.js');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const CHAIN = ['db', 'migrate', 'web'];

function watchEvents(project) {
  const events = [];
  const child = spawn('docker', ['events', '--format', '{{json .}}', '--filter', 'type=container', '--filter', `label=com.docker.compose.project=${project}`]);
  let rest = '';
  child.stdout.on('data', (chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      try {
        const e = JSON.parse(line);
        events.push({ service: e.Actor.Attributes['com.docker.compose.service'], action: e.Action, timeMs: Number(e.timeNano) / 1e6 });
      } catch {
        // not an event line
      }
    }
  });
  return { events, stop: () => child.kill() };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function once(mode, i) {
  const project = `bench-${mode}-${process.pid}-${i}`;
  const watch = watchEvents(project);
  await new Promise((r) => setTimeout(r, 300)); // let `docker events` subscribe
  const waitFor = mode === 'engine' ? 'db: healthy engine\nweb: healthy engine' : '';
  const { main, post } = await runAction({ workspace: __dirname, inputs: { 'project-name': project, 'wait-for': waitFor, 'stop-timeout': '0' } });
  watch.stop();
  if (main.outcome !== 'success') throw new Error(`bench run failed: ${main.output}`);
  const services = JSON.parse(main.outputs.services);
  const first = (service, action) => watch.events.find((e) => e.service === service && action(e.action));
  let critical = 0;
  const delays = [];
  for (const s of CHAIN) {
    const start = first(s, (a) => a === 'start');
    const done = first(s, (a) => a === 'health_status: healthy' || a === 'die');
    critical += done.timeMs - start.timeMs;
    if (done.action.startsWith('health_status')) delays.push(Date.parse(services[s].readyAt) - done.timeMs);
  }
  return { mainMs: main.durationMs, critical, delays, postMs: post.durationMs };
}

async function main() {
  for (const mode of ['engine', 'active']) {
    const rows = [];
    for (let i = 0; i < RUNS; i++) rows.push(await once(mode, i));
    const ratio = median(rows.map((r) => r.mainMs / r.critical));
    const delays = rows.flatMap((r) => r.delays);
    console.log(`mode ${mode === 'engine' ? "'healthy engine' (engine's verdict only)" : 'default (active healthcheck probing)'}, ${RUNS} runs:`);
    for (const r of rows) console.log(`  main ${(r.mainMs / 1000).toFixed(2)} s, critical path ${(r.critical / 1000).toFixed(2)} s, ratio ${(r.mainMs / r.critical).toFixed(3)}, notice delays ${r.delays.map((d) => `${d.toFixed(0)} ms`).join(' ')}, post ${(r.postMs / 1000).toFixed(2)} s`);
    console.log(`  median ratio main/critical path: ${ratio.toFixed(3)} (target <= 1.10)`);
    console.log(`  median delay healthy event -> action notices: ${median(delays).toFixed(0)} ms (target <= 50 ms; negative: the action saw it first)`);
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
