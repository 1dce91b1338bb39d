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

/** The hand-tuned floor: create with compose, start by hand in order, poll at the container every 10 ms. */
async function floor(i) {
  const { execFileSync } = require('child_process');
  const project = `bench-floor-${process.pid}-${i}`;
  const run = (cmd, args) => { try { execFileSync(cmd, args, { stdio: 'pipe', cwd: __dirname }); return true; } catch { return false; } };
  const poll = async (check) => { while (!check()) await new Promise((r) => setTimeout(r, 10)); };
  const t0 = Date.now();
  // Compose v1 hangs creating a service with a conditional depends_on in the same call as its
  // dependency; by hand, as in the action, that is two calls.
  run('docker-compose', ['-p', project, '-f', 'compose.yaml', 'up', '--no-start', '--no-deps', 'db', 'migrate']);
  run('docker-compose', ['-p', project, '-f', 'compose.yaml', 'up', '--no-start', '--no-deps', 'web']);
  const c = (s) => `${project}_${s}_1`;
  run('docker', ['start', c('db')]);
  await poll(() => run('docker', ['exec', c('db'), 'test', '-f', '/tmp/ready']));
  run('docker', ['start', c('migrate')]);
  await poll(() => execFileSync('docker', ['inspect', '-f', '{{.State.Status}}', c('migrate')], { encoding: 'utf8' }).trim() === 'exited');
  run('docker', ['start', c('web')]);
  await poll(() => run('docker', ['exec', c('web'), 'test', '-f', '/tmp/ready']));
  const ms = Date.now() - t0;
  run('docker-compose', ['-p', project, '-f', 'compose.yaml', 'down', '-v', '-t', '0']);
  return ms;
}

async function timed(file, inputs) {
  const project = `bench-${path.basename(file, '.yaml')}-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const { main, post } = await runAction({ workspace: __dirname, inputs: { 'compose-file': file, 'project-name': project, ...inputs } });
  if (main.outcome !== 'success') throw new Error(`bench run failed: ${main.output}`);
  return { main, post, services: JSON.parse(main.outputs.services) };
}

function coldStart() {
  const { execFileSync } = require('child_process');
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t = process.hrtime.bigint();
    // With no compose file here, main prints its first line (the error) and exits.
    try { execFileSync(process.execPath, [path.join(__dirname, '..', 'dist', 'main', 'index.js')], { cwd: '/', stdio: 'pipe', env: { ...process.env, 'INPUT_COMPOSE-FILE': 'none.yml' } }); } catch { /* expected */ }
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '0']);
  return { dist: median(times), bare: Number(process.hrtime.bigint() - t) / 1e6 };
}

function planning() {
  const { parseResolvedConfig } = require('../build/src/compose-model.js');
  const { planStart } = require('../build/src/dependency-graph.js');
  const services = {};
  for (let i = 0; i < 100; i++) services[`s${i}`] = { image: 'x', ports: ['80'], depends_on: i === 0 ? [] : [`s${Math.floor(i / 2)}`] };
  const yaml = JSON.stringify({ services });
  const t = process.hrtime.bigint();
  planStart(parseResolvedConfig(yaml), Object.keys(services));
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main() {
  const only = process.argv[2];
  if (!only || only === 'readiness') {
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
  if (!only || only === 'speed') {
    const mains = [];
    const floors = [];
    for (let i = 0; i < RUNS; i++) {
      mains.push((await timed('compose.yaml', { 'stop-timeout': '0' })).main.durationMs);
      floors.push(await floor(i));
    }
    console.log(`main over hand-tuned floor (same stack, ${RUNS} runs): main ${mains.map((m) => (m / 1000).toFixed(2)).join(' ')} s, floor ${floors.map((m) => (m / 1000).toFixed(2)).join(' ')} s, median ratio ${(median(mains) / median(floors)).toFixed(3)} (target <= 1.10)`);
    const slow = await timed('slowcheck.yaml', {});
    console.log(`default-interval healthcheck passing from 2 s: ready after ${slow.services.api.readySeconds} s (target <= 3 s; the engine alone: 30 s)`);
    for (const grace of ['3', '0']) {
      const posts = [];
      for (let i = 0; i < RUNS; i++) posts.push((await timed('teardown.yaml', { 'stop-timeout': grace })).post.durationMs);
      console.log(`post step, 4 services ignoring SIGTERM, stop-timeout ${grace}: ${posts.map((p) => (p / 1000).toFixed(2)).join(' ')} s (target <= ${Number(grace) + 1} s)`);
    }
    const cold = coldStart();
    console.log(`cold start of dist/main to its first line: ${cold.dist.toFixed(0)} ms median of 5 (target <= 150 ms; bare node -e 0: ${cold.bare.toFixed(0)} ms)`);
    console.log(`planning 100 services (parse + graph + levels): ${planning().toFixed(1)} ms (target <= 100 ms)`);
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
