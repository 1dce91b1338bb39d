'use strict';
// `npm run bench -- build-cache` (and the end of `npm run bench -- cold`): a `build:` service on a
// cold engine (no image, no build cache), as on a fresh hosted runner, built
//   - without a cache (`build-cache: none`): the cold build;
//   - with `build-cache: local:` and an empty folder: the cold build that also writes the cache;
//   - with `build-cache: local:` and that folder, after a change of the last layer's file only:
//     the rebuild a later job of the same branch does.
// The engine is one of the bench's own with the containerd image store (the engine's own builder
// exports caches only there; see README "Cold runners"). The figure is the build's span in the
// step's log (compose's creation call to its image built), and the whole main step beside it, which
// adds what does not depend on the build (the start, the service's settle window). Prints figures
// and the target; asserts nothing.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { runAction } = require('../harness/run-action.js');
const { median } = require('./median.js');

async function buildCache(runs) {
  const { startRemoteEngine } = require('../build/__tests__/helpers/remote-engine.js');
  const engine = await startRemoteEngine([], { containerdImageStore: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-bench-build-'));
  fs.cpSync(path.join(__dirname, 'build-cache'), work, { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(work, 'app', 'busybox'));
  const name = `bench-build-${process.pid}`;
  const coldEngine = () => {
    engine.docker('image', 'rm', '-f', `${name}-app`);
    engine.docker('builder', 'prune', '-af');
  };
  const action = async (cache, source) => {
    fs.writeFileSync(path.join(work, 'app', 'source'), `${source}\n`);
    coldEngine();
    // The build's span, as the step's log shows it: from compose's creation call to its image built.
    const span = {};
    let seen = 0;
    const onMainOutput = (text) => {
      const lines = text.split('\n');
      for (; seen < lines.length - 1; seen++) {
        if (span.from === undefined && /^::group::Creating /.test(lines[seen])) span.from = Date.now();
        if (span.to === undefined && / Built$/.test(lines[seen])) span.to = Date.now();
      }
    };
    const { main, post } = await runAction({
      workspace: work,
      env: { DOCKER_HOST: engine.dockerHost },
      onMainOutput,
      inputs: { 'project-name': name, 'build-cache': cache, 'stop-timeout': '0' },
    });
    if (main.outcome !== 'success' || post?.exitCode !== 0) throw new Error(`bench run failed: ${main.output.slice(-2000)}`);
    if (span.from === undefined || span.to === undefined) throw new Error(`no build in the step's log: ${main.output.slice(-2000)}`);
    return { build: span.to - span.from, main: main.durationMs };
  };
  const rows = [];
  const f = (ms) => `${(ms / 1000).toFixed(1)} s`;
  try {
    for (let i = 0; i < runs; i++) {
      fs.rmSync(path.join(work, '.cache'), { recursive: true, force: true });
      const row = { none: await action('none', `${i}-a`), writing: await action('local:.cache', `${i}-b`), rebuild: await action('local:.cache', `${i}-c`) };
      rows.push(row);
      const both = (r) => `${f(r.build)} (main step ${f(r.main)})`;
      console.log(
        `  run ${i + 1}: cold build ${both(row.none)}, cold build writing the cache ${both(row.writing)}, rebuild from the cache after a last-layer change ${both(row.rebuild)}`,
      );
    }
  } finally {
    try {
      coldEngine();
    } finally {
      engine.stop();
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const m = (k, part = 'build') => median(rows.map((r) => r[k][part]));
  console.log(`build cache (a build: service on a cold engine; the build as the step's log spans it), median of ${runs}:`);
  console.log(`  rebuild with build-cache: local: ${f(m('rebuild'))} over the cold build ${f(m('none'))}: ${(m('rebuild') / m('none')).toFixed(3)} (target <= 0.3)`);
  console.log(
    `  the whole main step (start order, the service's 3 s settle window): ${f(m('rebuild', 'main'))} over ${f(m('none', 'main'))}: ${(m('rebuild', 'main') / m('none', 'main')).toFixed(3)}`,
  );
  console.log(`  writing the cache costs the first build ${f(m('writing') - m('none'))} (${(m('writing') / m('none')).toFixed(3)} x the cold build)`);
}

module.exports = { buildCache };
