'use strict';
// A registry as a hosted runner meets one, on this machine: Debian's docker-registry in a network
// namespace of the run's own, its link rate-limited with tc (tbf: this kernel has no netem), and in
// front of it a proxy on loopback that can misbehave on purpose (503, reset, stall, 429 with
// Retry-After) for the first N requests. The engine pulls from 127.0.0.1:<port>, which it treats as
// an insecure registry by default: no daemon setting, no restart. The images are pushed once per
// machine by scripts/registry.sh.

const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

function run(argv) {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryRun(argv) {
  try {
    run(argv);
  } catch {
    // already gone
  }
}

/**
 * Takes the bed's images off the engine, as on a fresh runner: every tag of them, whichever bed's
 * address it names or none (a mirror's image under its Docker Hub name); an old tag keeps the
 * layers, and the next pull would find them there.
 */
function removeBedImages(names) {
  const wanted = new Set(names);
  const tags = run(['docker', 'images', '--format', '{{.Repository}}:{{.Tag}}'])
    .split('\n')
    .filter((t) => {
      const m = /(?:^|\/)ec-cold\/([^/:]+):1$/.exec(t);
      return m && wanted.has(m[1]);
    });
  if (tags.length > 0) tryRun(['docker', 'rmi', '-f', ...tags]);
}

/**
 * Starts the bed. `rateMBps` is the link's rate in MB/s (default 60, a hosted runner's pull);
 * `slot` keeps two beds of one machine apart (default: the jest worker, else 1).
 * Returns { host, proxyPort, image(name), fault(spec), requests, stop() }.
 */
async function startRegistryBed({ rateMBps = 60, slot } = {}) {
  const storage = run(['bash', path.join(ROOT, 'scripts', 'registry.sh'), 'images'])
    .trim()
    .split('\n')
    .pop();
  const binary = run(['bash', path.join(ROOT, 'scripts', 'registry.sh'), 'binary'])
    .trim()
    .split('\n')
    .pop();
  const n = slot ?? Number(process.env.JEST_WORKER_ID ?? '1');
  const ns = `ec-reg-${process.pid}`;
  const here = `ecg${process.pid}a`.slice(0, 15);
  const there = `ecg${process.pid}b`.slice(0, 15);
  const [hostSide, registryAddress] = [`10.204.${n}.1`, `10.204.${n}.2`];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-registry-'));
  let daemon;
  const stop = () => {
    if (daemon && daemon.exitCode === null) daemon.kill('SIGTERM');
    tryRun(['ip', 'link', 'del', here]);
    tryRun(['ip', 'netns', 'del', ns]);
    fs.rmSync(work, { recursive: true, force: true });
  };
  tryRun(['ip', 'link', 'del', here]);
  tryRun(['ip', 'netns', 'del', ns]);
  run(['ip', 'netns', 'add', ns]);
  run(['ip', 'link', 'add', here, 'type', 'veth', 'peer', 'name', there]);
  run(['ip', 'link', 'set', there, 'netns', ns]);
  run(['ip', 'addr', 'add', `${hostSide}/30`, 'dev', here]);
  run(['ip', 'link', 'set', here, 'up']);
  const inNs = (...argv) => run(['ip', 'netns', 'exec', ns, ...argv]);
  inNs('ip', 'addr', 'add', `${registryAddress}/30`, 'dev', there);
  inNs('ip', 'link', 'set', there, 'up');
  inNs('ip', 'link', 'set', 'lo', 'up');
  // What the registry sends (the pulls' bytes) leaves the namespace through `there`: shaped there.
  const rate = `${Math.round(rateMBps * 8)}mbit`;
  inNs('tc', 'qdisc', 'add', 'dev', there, 'root', 'tbf', 'rate', rate, 'burst', '1mb', 'latency', '100ms');
  const config = path.join(work, 'config.yml');
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${storage}`,
      '  maintenance:',
      '    readonly:',
      '      enabled: true',
      'http:',
      `  addr: ${registryAddress}:5000`,
      '',
    ].join('\n'),
  );
  const log = fs.openSync(path.join(work, 'registry.log'), 'a');
  daemon = spawn('ip', ['netns', 'exec', ns, binary, 'serve', config], { stdio: ['ignore', log, log] });
  fs.closeSync(log);

  // The fault proxy: every request goes on to the registry unless a fault is armed for it.
  const faults = [];
  const requests = [];
  const proxy = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const f = faults.find((x) => x.left > 0 && (!x.match || x.match.test(req.url)) && (x.skip -= 1) < 0);
    if (f) {
      f.left -= 1;
      if (f.kind === 'reset') return req.socket.destroy();
      if (f.kind === 'stall') return; // never answered
      const headers = { 'Content-Type': 'application/json' };
      if (f.retryAfter !== undefined) headers['Retry-After'] = String(f.retryAfter);
      res.writeHead(f.status, headers);
      return res.end(JSON.stringify({ errors: [{ code: f.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: f.message ?? 'injected by the test' }] }));
    }
    const upstream = http.request({ host: registryAddress, port: 5000, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = proxy.address().port;
  for (let i = 0; ; i++) {
    try {
      await new Promise((resolve, reject) =>
        http
          .get({ host: registryAddress, port: 5000, path: '/v2/' }, (r) => (r.resume(), r.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${r.statusCode}`))))
          .on('error', reject),
      );
      break;
    } catch (e) {
      if (i > 100) {
        proxy.close();
        stop();
        throw new Error(`the test registry did not start: ${e.message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const host = `127.0.0.1:${proxyPort}`;
  return {
    host,
    /** The image reference of one of the bed's images through the proxy, e.g. image('db'). */
    image: (name) => `${host}/ec-cold/${name}:1`,
    /**
     * Arms a fault for the next `count` requests (matching `match`, a RegExp of the path, when given;
     * the first `skip` of them pass):
     * { kind: 'status', status: 503 } | { kind: 'status', status: 429, retryAfter: 2 } | { kind: 'reset' } | { kind: 'stall' }.
     */
    fault: (spec) => faults.push({ left: spec.count ?? 1, ...spec, skip: spec.skip ?? 0 }),
    /** Disarms every fault still armed (a test's left-overs must not meet the next test's pulls). */
    clearFaults: () => faults.splice(0),
    requests,
    stop: () => {
      proxy.closeAllConnections?.();
      proxy.close();
      stop();
    },
  };
}

module.exports = { startRegistryBed, removeBedImages };
