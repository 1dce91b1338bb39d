// node version-at-least.js VERSION MINIMUM: exit 0 when VERSION (e.g. "v2.40.3", "2.40.3-3",
// "2.26.1+ds1") is MINIMUM or newer: major, minor and patch compared as numbers.
const parse = (v) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(v) || []).slice(1).map(Number);
const [have, want] = [parse(process.argv[2] || ''), parse(process.argv[3] || '')];
if (have.length !== 3 || want.length !== 3) process.exit(1);
for (let i = 0; i < 3; i++) if (have[i] !== want[i]) process.exit(have[i] > want[i] ? 0 : 1);
process.exit(0);
