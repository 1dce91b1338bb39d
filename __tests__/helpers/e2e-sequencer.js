// The order the e2e files are handed to jest's workers: the two files that start engines of their
// own (remote-engine: a daemon and sshd; faults: a daemon it stops and starts again) never run at
// the same time, where the load made the ssh engine miss its 10 s to answer. remote-engine goes
// first, faults last; the rest keeps jest's own order between them.
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = /remote-engine\.test\.ts$/;
const LAST = /faults\.test\.ts$/;

class E2eSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    const rank = (t) => (FIRST.test(t.path) ? 0 : LAST.test(t.path) ? 2 : 1);
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = E2eSequencer;
