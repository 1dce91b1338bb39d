#!/usr/bin/env node
'use strict';
// `npm run bench`: the action's main time over the stack's own critical path (readiness times
// along the dependency chain, from the engine's events: from the engine beginning to start a
// container, its network `connect`, to `health_status: healthy` or `die`), and how long after the
// engine reports a container healthy the action notices. Prints figures; asserts nothing.

const { spawn } = require('child_process');
const path = require('path');
const { runAction } = require('../harness/run-action.js');

const RUNS = Number(process.env.BENCH_RUNS || 3);
const CHAIN = ['db', 'migrate', 'web'];

function watchEvents(project) {
  const events = [];
  // Container events by project label, and network events, whose `connect` is the engine's first
  // step in starting a container (network set-up takes ~0.2 s of every start here).
  const child = spawn('docker', ['events', '--format', '{{json .}}', '--filter', 'type=container', '--filter', 'type=network']);
  const serviceOf = {};
  const pending = [];
  let rest = '';
  child.stdout.on('data', (chunk) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop();
    for (const line of lines) {
      try {
        const e = JSON.parse(line);
        const timeMs = Number(e.timeNano) / 1e6;
        if (e.Type === 'container' && e.Actor.Attributes['com.docker.compose.project'] === project) {
          serviceOf[e.Actor.ID] = e.Actor.Attributes['com.docker.compose.service'];
          events.push({ service: serviceOf[e.Actor.ID], action: e.Action, timeMs });
        } else if (e.Type === 'network' && e.Action === 'connect') {
          pending.push({ id: e.Actor.Attributes.container, timeMs });
        }
      } catch {
        // not an event line
      }
    }
  });
  return {
    events,
    stop: () => {
      child.kill();
      for (const p of pending) if (serviceOf[p.id]) events.push({ service: serviceOf[p.id], action: 'connect', timeMs: p.timeMs });
    },
  };
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
  let fromStartEvents = 0;
  const delays = [];
  for (const s of CHAIN) {
    const begin = first(s, (a) => a === 'connect');
    const start = first(s, (a) => a === 'start');
    const done = first(s, (a) => a === 'health_status: healthy' || a === 'die');
    critical += done.timeMs - begin.timeMs;
    fromStartEvents += done.timeMs - start.timeMs;
    if (done.action.startsWith('health_status')) delays.push(Date.parse(services[s].readyAt) - done.timeMs);
  }
  return { mainMs: main.durationMs, critical, fromStartEvents, delays, postMs: post.durationMs };
}

/** The compose the action will detect: the v2 plugin where `docker compose` answers, else v1. */
function composeCommand() {
  const { spawnSync } = require('child_process');
  return spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? ['docker', 'compose'] : ['docker-compose'];
}

/** The hand-tuned floor: create with compose, start by hand in order, poll at the container every 10 ms. */
async function floor(i) {
  const { execFileSync } = require('child_process');
  const project = `bench-floor-${process.pid}-${i}`;
  const [cmd, ...base] = composeCommand();
  const compose = (...args) => run(cmd, [...base, '-p', project, '-f', 'compose.yaml', ...args]);
  const run = (command, args) => { try { execFileSync(command, args, { stdio: 'pipe', cwd: __dirname }); return true; } catch { return false; } };
  const poll = async (check) => { while (!check()) await new Promise((r) => setTimeout(r, 10)); };
  const t0 = Date.now();
  if (cmd === 'docker-compose') {
    // Compose v1 hangs creating a service with a conditional depends_on in the same call as its
    // dependency; by hand, as in the action, that is two calls.
    compose('up', '--no-start', '--no-deps', 'db', 'migrate');
    compose('up', '--no-start', '--no-deps', 'web');
  } else {
    compose('up', '--no-start');
  }
  // Container names differ between v1 and v2; the labels do not.
  const c = (s) => execFileSync('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${s}`], { encoding: 'utf8' }).trim();
  const [db, migrate, web] = ['db', 'migrate', 'web'].map(c);
  run('docker', ['start', db]);
  await poll(() => run('docker', ['exec', db, 'test', '-f', '/tmp/ready']));
  run('docker', ['start', migrate]);
  await poll(() => execFileSync('docker', ['inspect', '-f', '{{.State.Status}}', migrate], { encoding: 'utf8' }).trim() === 'exited');
  run('docker', ['start', web]);
  await poll(() => run('docker', ['exec', web, 'test', '-f', '/tmp/ready']));
  const ms = Date.now() - t0;
  compose('down', '-v', '-t', '0');
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
  console.log(`compose: ${composeCommand().join(' ')} (set DOCKER_CONFIG to a directory with cli-plugins/docker-compose for v2)`);
  if (!only || only === 'readiness') {
    for (const mode of ['engine', 'active']) {
      const rows = [];
      for (let i = 0; i < RUNS; i++) rows.push(await once(mode, i));
      const ratio = median(rows.map((r) => r.mainMs / r.critical));
      const delays = rows.flatMap((r) => r.delays);
      console.log(`mode ${mode === 'engine' ? "'healthy engine' (engine's verdict only)" : 'default (active healthcheck probing)'}, ${RUNS} runs:`);
      for (const r of rows) console.log(`  main ${(r.mainMs / 1000).toFixed(2)} s, critical path ${(r.critical / 1000).toFixed(2)} s, ratio ${(r.mainMs / r.critical).toFixed(3)} (${(r.mainMs / r.fromStartEvents).toFixed(3)} counting from 'start' events only), notice delays ${r.delays.map((d) => `${d.toFixed(0)} ms`).join(' ')}, post ${(r.postMs / 1000).toFixed(2)} s`);
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
