import { deployedLabels, expiredRecords, readRecord, recordLabels } from '../../../src/previews/deploy-record';
import { deployRecordName } from '../../../src/lifecycle/record-volumes';

const target = { pr: 5, branch: 'feat', commit: 'abc', repository: 'o/r', event: 'pull_request', runUrl: 'https://x/run/1' };
const now = new Date('2026-01-01T00:00:00Z');

describe('deploy record', () => {
  it('carries what changes per deploy; everything deployed carries only what does not', () => {
    expect(deployedLabels('p', target)).toEqual({ 'ephemeral-compose.deployed': 'p', 'ephemeral-compose.pr': '5' });
    expect(deployedLabels('p', {})).toEqual({ 'ephemeral-compose.deployed': 'p' });
    const labels = recordLabels('p', target, now, 90);
    expect(labels).toMatchObject({ 'com.docker.compose.project': 'p', 'ephemeral-compose.commit': 'abc', 'ephemeral-compose.expires': '2026-01-01T00:01:30.000Z' });
    expect(readRecord(labels)).toEqual({
      project: 'p',
      commit: 'abc',
      pr: 5,
      branch: 'feat',
      repository: 'o/r',
      expiresAt: new Date('2026-01-01T00:01:30Z'),
      deployedAt: now,
      run: 'https://x/run/1',
    });
    expect(deployRecordName('p')).toBe('p_ephemeral-compose-record');
  });

  it('is not one without its project and deployed labels agreeing', () => {
    const labels = recordLabels('p', target, now);
    expect(readRecord({ ...labels, 'ephemeral-compose.deployed': 'q' })).toBeUndefined();
    expect(readRecord({ ...labels, 'com.docker.compose.project': 'q' })).toBeUndefined();
    expect(readRecord({})).toBeUndefined();
    expect(readRecord(labels)?.expiresAt).toBeUndefined();
  });

  it('expires only what has an expiry that has passed', () => {
    const records = [
      { project: 'old', expiresAt: new Date('2025-12-31T23:59:59Z') },
      { project: 'now', expiresAt: now },
      { project: 'later', expiresAt: new Date('2026-01-02T00:00:00Z') },
      { project: 'never' },
    ];
    expect(expiredRecords(records, now).map((r) => r.project)).toEqual(['old', 'now']);
  });
});
