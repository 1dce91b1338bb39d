#!/usr/bin/env node
'use strict';
// `npm run bench`: the action's main time over the stack's own critical path (readiness times
// along the dependency chain, from the engine's events: from the engine beginning to start a
// container, its network `connect`, to `health_status: healthy` or `die`), and how long after the
// engine reports a container healthy the action notices. Prints figures; asserts nothing.

const { spawn } = require('child_process');
const path = require('path');
const { runAction } = require('../harness/run-action.js');
const { median } = require('./median.js');

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

/** The compose the action drives: the CLI's plugin. */
function composeCommand() {
  return ['docker', 'compose'];
}

/** The hand-tuned floor: create with compose, start by hand in order, poll at the container every 10 ms. */
async function floor(i) {
  const { execFileSync } = require('child_process');
  const project = `bench-floor-${process.pid}-${i}`;
  const [cmd, ...base] = composeCommand();
  const compose = (...args) => run(cmd, [...base, '-p', project, '-f', 'compose.yaml', ...args]);
  const run = (command, args) => {
    try {
      execFileSync(command, args, { stdio: 'pipe', cwd: __dirname });
      return true;
    } catch {
      return false;
    }
  };
  const poll = async (check) => {
    while (!check()) await new Promise((r) => setTimeout(r, 10));
  };
  const t0 = Date.now();
  compose('up', '--no-start');
  const c = (s) =>
    execFileSync('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${s}`], {
      encoding: 'utf8',
    }).trim();
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
    try {
      execFileSync(process.execPath, [path.join(__dirname, '..', 'dist', 'main', 'index.js')], {
        cwd: '/',
        stdio: 'pipe',
        env: { ...process.env, 'INPUT_COMPOSE-FILE': 'none.yml' },
      });
    } catch {
      /* expected */
    }
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '0']);
  return { dist: median(times), bare: Number(process.hrtime.bigint() - t) / 1e6 };
}

function planning() {
  const { parseResolvedConfig } = require('../build/src/compose/compose-model.js');
  const { planStart } = require('../build/src/plan/dependency-graph.js');
  const services = {};
  for (let i = 0; i < 100; i++) services[`s${i}`] = { image: 'x', ports: ['80'], depends_on: i === 0 ? [] : [`s${Math.floor(i / 2)}`] };
  const yaml = JSON.stringify({ services });
  const t = process.hrtime.bigint();
  planStart(parseResolvedConfig(yaml), Object.keys(services));
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function main() {
  const only = process.argv[2];
  const version = (args) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
  console.log(`Compose ${version(['compose', 'version', '--short'])}, Engine ${version(['version', '--format', '{{.Server.Version}}'])}`);
  // Cold runners pull every image first: the test registry's bed, only when asked (it moves 1.3 GB a run).
  if (only === 'cold') {
    await require('./cold.js').cold(RUNS);
    return require('./build-cache.js').buildCache(RUNS);
  }
  if (only === 'build-cache') return require('./build-cache.js').buildCache(RUNS);
  // A three-node swarm of UML nodes (their kernel and disk made once per machine by scripts/swarm-nodes.sh).
  if (only === 'swarm') return require('./swarm.js').swarmBench(RUNS);
  if (!only || only === 'readiness') {
    for (const mode of ['engine', 'active']) {
      const rows = [];
      for (let i = 0; i < RUNS; i++) rows.push(await once(mode, i));
      const ratio = median(rows.map((r) => r.mainMs / r.critical));
      const delays = rows.flatMap((r) => r.delays);
      console.log(`mode ${mode === 'engine' ? "'healthy engine' (engine's verdict only)" : 'default (active healthcheck probing)'}, ${RUNS} runs:`);
      for (const r of rows)
        console.log(
          `  main ${(r.mainMs / 1000).toFixed(2)} s, critical path ${(r.critical / 1000).toFixed(2)} s, ratio ${(r.mainMs / r.critical).toFixed(3)} (${(r.mainMs / r.fromStartEvents).toFixed(3)} counting from 'start' events only), notice delays ${r.delays.map((d) => `${d.toFixed(0)} ms`).join(' ')}, post ${(r.postMs / 1000).toFixed(2)} s`,
        );
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
    console.log(
      `main over hand-tuned floor (same stack, ${RUNS} runs): main ${mains.map((m) => (m / 1000).toFixed(2)).join(' ')} s, floor ${floors.map((m) => (m / 1000).toFixed(2)).join(' ')} s, median ratio ${(median(mains) / median(floors)).toFixed(3)} (target <= 1.10)`,
    );
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
  // `late` alone: the late-port figure only.
  if (!only || only === 'scale' || only === 'late') await latePort();
  if (!only || only === 'scale') {
    const env = process.env;
    await founding(env);
    await wide(10, 30, env);
    await wide(20, 80, env);
  }
}

// --- scale: late ports, the founding shape against a fair floor, 40 and 100 services ------------

const fs = require('fs');
const os = require('os');
const { execFileSync, spawnSync } = require('child_process');

/** Wall time of a compose command, in ms, and its exit code. */
function composeTimed(env, dir, project, args) {
  const t = Date.now();
  const r = spawnSync('docker', ['compose', '-p', project, ...args], { cwd: dir, env, stdio: 'ignore' });
  return { ms: Date.now() - t, code: r.status };
}

function removeProject(project) {
  const f = `label=com.docker.compose.project=${project}`;
  const ids = (args) =>
    execFileSync('docker', [...args, '--filter', f], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  const c = ids(['ps', '-aq']);
  if (c.length) spawnSync('docker', ['rm', '-f', '-v', ...c]);
  const n = ids(['network', 'ls', '-q']);
  if (n.length) spawnSync('docker', ['network', 'rm', ...n]);
  const v = ids(['volume', 'ls', '-q']);
  if (v.length) spawnSync('docker', ['volume', 'rm', '-f', ...v]);
}

/** `servers` services opening a port, each with dependents that open one too, in two levels. */
function wideStack(servers, dependents) {
  const lines = ['services:'];
  for (let i = 0; i < servers; i++) {
    lines.push(`  srv${i}:`, '    image: ephemeral-compose-test/busybox', '    command: ["nc", "-ll", "-p", "5000", "-e", "cat"]', '    expose: ["5000"]');
  }
  for (let i = 0; i < dependents; i++) {
    lines.push(
      `  app${i}:`,
      '    image: ephemeral-compose-test/busybox',
      '    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]',
      '    expose: ["8080"]',
      `    depends_on: [srv${i % servers}]`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-bench-wide-'));
  fs.writeFileSync(path.join(dir, 'compose.yaml'), lines.join('\n') + '\n');
  return dir;
}

/** The action on a directory's compose.yaml: main and post in ms. */
async function actionTimes(dir, inputs = {}) {
  const project = `bench-${path.basename(dir).replace(/[^a-z0-9]/g, '')}-${Math.random().toString(16).slice(2, 8)}`;
  const { main, post } = await runAction({ workspace: dir, inputs: { 'project-name': project, ...inputs } });
  if (main.outcome !== 'success') throw new Error(`bench run failed: ${main.output.slice(-2000)}`);
  return { main: main.durationMs, post: post.durationMs, services: JSON.parse(main.outputs.services) };
}

async function wide(servers, dependents, env) {
  const dir = wideStack(servers, dependents);
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const action = await actionTimes(dir, { 'stop-timeout': '3' });
    const row = { main: action.main, post: action.post };
    const project = `bench-wideref-${process.pid}-${i}`;
    row.up = composeTimed(env, dir, project, ['up', '-d', '--wait']);
    row.down = composeTimed(env, dir, project, ['down', '-v', '-t', '3']);
    removeProject(project);
    rows.push(row);
  }
  const m = median(rows.map((r) => r.main));
  const p = median(rows.map((r) => r.post));
  const total = servers + dependents;
  const up = median(rows.map((r) => r.up.ms));
  const down = median(rows.map((r) => r.down.ms));
  console.log(`${total} services (${servers} servers, ${dependents} dependents), median of ${RUNS}:`);
  console.log(
    `  main ${(m / 1000).toFixed(2)} s; compose's own 'up -d --wait' ${(up / 1000).toFixed(2)} s (waits for "running" only, no order); ratio ${(m / up).toFixed(3)} (target <= 1.10)`,
  );
  console.log(`  post ${(p / 1000).toFixed(2)} s (stop-timeout 3); compose's own 'down -v -t 3' ${(down / 1000).toFixed(2)} s; ratio ${(p / down).toFixed(3)} (target <= 0.8)`);
}

/** How long after a late port opens the action notices it (no healthcheck: ports at the container). */
async function latePort() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-bench-late-'));
  // The container says when its port opens, in the kernel's uptime (the same clock inside and out):
  // the engine's StartedAt comes some hundred ms before the process runs on Engine 28, so it is no
  // measure of when `sleep 2` began.
  fs.writeFileSync(
    path.join(dir, 'compose.yaml'),
    'services:\n  db:\n    image: ephemeral-compose-test/busybox\n    command: ["sh", "-c", "sleep 2; cut -d\\" \\" -f1 /proc/uptime; exec nc -ll -p 3306 -e cat"]\n    expose: ["3306"]\n',
  );
  const { uptimeToEpochMs } = require('../build/__tests__/helpers/kernel-clock.js');
  const delays = [];
  const lags = [];
  for (let i = 0; i < Math.max(RUNS, 5); i++) {
    const project = `bench-late-${process.pid}-${i}`;
    let opensAt = 0;
    let startedAt = 0;
    const { main } = await runAction({
      workspace: dir,
      inputs: { 'project-name': project, 'stop-timeout': '0' },
      between: async () => {
        const id = execFileSync('docker', ['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`], { encoding: 'utf8' }).trim();
        opensAt = uptimeToEpochMs(Number(execFileSync('docker', ['logs', id], { encoding: 'utf8' }).trim()));
        startedAt = Date.parse(execFileSync('docker', ['inspect', '-f', '{{.State.StartedAt}}', id], { encoding: 'utf8' }).trim());
      },
    });
    if (main.outcome !== 'success') throw new Error(`bench run failed: ${main.output.slice(-2000)}`);
    delays.push(Date.parse(JSON.parse(main.outputs.services).db.readyAt) - opensAt);
    lags.push(opensAt - 2000 - startedAt);
  }
  console.log(
    `late port (no healthcheck), noticed after it opens: median ${median(delays).toFixed(0)} ms of ${delays.map((d) => d.toFixed(0)).join(', ')} (target <= 50 ms; includes nc's own start)`,
  );
  console.log(`  the engine's StartedAt came ${median(lags).toFixed(0)} ms (median) before the container's process began`);
}

/**
 * The founding shape (db whose port opens late, a migration, web): the action's main over a fair
 * floor that waits for the same things by hand (create with compose, start each level, poll every
 * port at the container address every 10 ms, wait for the one-shot's exit).
 */
async function founding(env) {
  const dir = path.join(__dirname, '..', '__tests__', 'fixtures', 'chain');
  const net = require('net');
  const portOpen = (host, port) =>
    new Promise((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => {
        s.destroy();
        resolve(false);
      });
    });
  const mains = [];
  const floors = [];
  const ups = [];
  for (let i = 0; i < RUNS; i++) {
    mains.push((await actionTimes(dir, { 'stop-timeout': '0' })).main);
    const project = `bench-foundfloor-${process.pid}-${i}`;
    const [cmd, ...base] = composeCommand();
    const t0 = Date.now();
    spawnSync(cmd, [...base, '-p', project, 'up', '--no-start'], { cwd: dir, stdio: 'ignore' });
    const c = (s) =>
      execFileSync('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`, '--filter', `label=com.docker.compose.service=${s}`], {
        encoding: 'utf8',
      }).trim();
    const ip = (id) => execFileSync('docker', ['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', id], { encoding: 'utf8' }).trim();
    const [db, migrate, web] = ['db', 'migrate', 'web'].map(c);
    const poll = async (check) => {
      while (!(await check())) await new Promise((r) => setTimeout(r, 10));
    };
    execFileSync('docker', ['start', db]);
    const dbIp = ip(db);
    await poll(() => portOpen(dbIp, 3306));
    execFileSync('docker', ['start', migrate]);
    await poll(() => execFileSync('docker', ['inspect', '-f', '{{.State.Status}}', migrate], { encoding: 'utf8' }).trim() === 'exited');
    execFileSync('docker', ['start', web]);
    const webIp = ip(web);
    await poll(async () => (await portOpen(webIp, 8080)) && (await portOpen(dbIp, 3306)));
    floors.push(Date.now() - t0);
    removeProject(project);
    const ref = `bench-foundref-${process.pid}-${i}`;
    ups.push(composeTimed(env, dir, ref, ['up', '-d', '--wait']));
    removeProject(ref);
  }
  const ratio = median(mains) / median(floors);
  console.log(
    `founding shape: main ${mains.map((m) => (m / 1000).toFixed(2)).join(' ')} s, fair floor ${floors.map((m) => (m / 1000).toFixed(2)).join(' ')} s, median ratio ${ratio.toFixed(3)} (target <= 1.10)`,
  );
  console.log(`  compose's own 'up -d --wait' on it: ${ups.map((u) => `${(u.ms / 1000).toFixed(2)} s (exit ${u.code})`).join(', ')}: its dependents start before db listens`);
}

main().catch((e) => {
  console.error(e.message);
  process.exitCode = 1;
});
