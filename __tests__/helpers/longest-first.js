// The real-engine files in the order that keeps both workers busy to the end: the longest first.
// Jest orders by the last run's timings where its cache has them and by file size where not (a
// fresh clone in CI), and size is a poor guess: a short file that starts engines of its own runs
// longest. Files not listed follow, largest first.
'use strict';
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

const LONGEST = ['swarm', 'faults', 'remote-engine', 'previews', 'readiness', 'bad-input', 'compose-fidelity', 'verdicts', 'foundation', 'compose-features', 'container-job'];

class LongestFirst extends Sequencer {
  sort(tests) {
    const rank = (t) => {
      const i = LONGEST.indexOf(path.basename(t.path, '.test.ts'));
      return i === -1 ? LONGEST.length : i;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongestFirst;
