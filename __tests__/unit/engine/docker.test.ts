import { mergeTimestampedLogs, isUnknownComposeCommand } from '../../../src/engine/docker';

describe('compose detection and logs', () => {
  it('tells a missing compose plugin from a compose error', () => {
    expect(isUnknownComposeCommand({ code: 1, stdout: '', stderr: 'docker: unknown command: docker compose' })).toBe(true);
    expect(isUnknownComposeCommand({ code: 1, stdout: '', stderr: "docker: 'compose' is not a docker command." })).toBe(true);
    expect(isUnknownComposeCommand({ code: 1, stdout: '', stderr: 'yaml: line 3: mapping values are not allowed' })).toBe(false);
  });
  it('merges stdout and stderr by timestamp', () => {
    const out = '2026-01-01T00:00:00.1Z one\n2026-01-01T00:00:00.300000001Z three\n';
    const err = '2026-01-01T00:00:00.2Z two\n';
    expect(mergeTimestampedLogs(out, err, 10)).toBe('one\ntwo\nthree');
    expect(mergeTimestampedLogs(out, err, 1)).toBe('three');
  });
});
