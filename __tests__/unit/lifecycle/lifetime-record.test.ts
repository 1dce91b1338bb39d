import { isDead, jobIdentity, lifetimeLabels, readLifetimeRecord } from '../../../src/lifecycle/lifetime-record';
import { lifetimeRecordName } from '../../../src/lifecycle/record-volumes';
import { lockName } from '../../../src/lifecycle/project-lock';
import { reapDeadStacks } from '../../../src/lifecycle/reaper';
import { FakeDocker } from '../../helpers/fake-docker';

const now = new Date('2026-01-01T06:00:00Z');
const hour = 3600;

describe('lifetime record', () => {
  it('says which job made the stack and until when it lives', () => {
    const who = jobIdentity({ GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '2', GITHUB_JOB: 'test' }, 'https://gh/o/r/actions/runs/77');
    expect(who).toEqual({ job: '77.2/test', run: 'https://gh/o/r/actions/runs/77' });
    const labels = lifetimeLabels('p', who, now, 2 * hour);
    expect(labels).toMatchObject({ 'com.docker.compose.project': 'p', 'ephemeral-compose.lifetime': 'p', 'ephemeral-compose.live-until': '2026-01-01T08:00:00.000Z' });
    expect(readLifetimeRecord(labels)).toEqual({ project: 'p', liveUntil: new Date('2026-01-01T08:00:00Z'), createdAt: now, run: who.run, job: '77.2/test' });
    expect(lifetimeRecordName('p')).toBe('p_ephemeral-compose-lifetime');
    expect(jobIdentity({}, undefined)).toEqual({ job: undefined, run: undefined });
  });

  it('is not a record without its project label agreeing, or without a valid time', () => {
    const labels = lifetimeLabels('p', {}, now, hour);
    expect(readLifetimeRecord({ ...labels, 'com.docker.compose.project': 'q' })).toBeUndefined();
    expect(readLifetimeRecord({ ...labels, 'ephemeral-compose.live-until': 'soon' })).toBeUndefined();
    expect(readLifetimeRecord({ 'com.docker.compose.project': 'p' })).toBeUndefined();
  });

  it('is dead once its time is over, unless it is the asking job’s own', () => {
    const record = readLifetimeRecord(lifetimeLabels('p', { job: '1.1/a' }, now, hour))!;
    const later = new Date(now.getTime() + hour * 1000);
    expect(isDead(record, new Date(later.getTime() - 1), { job: '2.1/a' })).toBe(false);
    expect(isDead(record, later, { job: '2.1/a' })).toBe(true);
    expect(isDead(record, later, {})).toBe(true);
    // Same run, another attempt: the first attempt's job is over.
    expect(isDead(record, later, { job: '1.2/a' })).toBe(true);
    expect(isDead(record, later, { job: '1.1/a' })).toBe(false);
  });
});

describe('reaping stacks of dead runs', () => {
  const log = () => {
    const lines: string[] = [];
    return {
      lines,
      log: { info: (l: string) => lines.push(l), warning: (l: string) => lines.push(`warning: ${l}`), group: <T>(_: string, fn: () => Promise<T>) => fn(), mask: () => undefined },
    };
  };
  const options = (l: ReturnType<typeof log>) => ({ asking: { job: '9.1/me', run: 'https://gh/run/9' }, post: { stopTimeoutSeconds: 0 }, workingDirectory: '/w', log: l.log });
  const recordOf = async (d: FakeDocker, project: string, job: string, createdHoursAgo: number, lifetimeHours: number) =>
    d.createVolume(
      lifetimeRecordName(project),
      lifetimeLabels(project, { job, run: `https://gh/run/${job}` }, new Date(now.getTime() - createdHoursAgo * hour * 1000), lifetimeHours * hour),
    );

  it('removes only stacks whose time is over, one line each, and leaves the rest', async () => {
    const d = new FakeDocker({ yaml: 'services:\n  a:\n    image: x\n' });
    await recordOf(d, 'dead', '1.1/a', 7, 6);
    await recordOf(d, 'alive', '2.1/a', 1, 6);
    await recordOf(d, 'mine', '9.1/me', 7, 6);
    await d.createVolume('other_data', { 'com.docker.compose.project': 'other' });
    const l = log();
    const result = await reapDeadStacks(d, () => now, options(l));
    expect(result.reaped.map((r) => r.project)).toEqual(['dead']);
    expect(result.alive).toBe(2);
    expect(result.skipped).toEqual([]);
    expect(l.lines[0]).toBe('Project dead was left by https://gh/run/1.1/a (created 2025-12-31T23:00:00.000Z), whose lifetime ended 2026-01-01T05:00:00.000Z: removing it.');
    expect([...d.volumeLabels.keys()].sort()).toEqual(['alive_ephemeral-compose-lifetime', 'mine_ephemeral-compose-lifetime', 'other_data']);
    expect(d.locks.size).toBe(0);
  });

  it('leaves a stack another run is reaping (it holds the lock)', async () => {
    const d = new FakeDocker({ yaml: 'services:\n  a:\n    image: x\n' });
    await recordOf(d, 'dead', '1.1/a', 7, 6);
    await d.createLock(lockName('dead'), { 'ephemeral-compose.lease-until': new Date(Date.now() + 60_000).toISOString() });
    const l = log();
    const result = await reapDeadStacks(d, () => now, options(l));
    expect(result).toMatchObject({ reaped: [], skipped: ['dead'] });
    expect(d.volumeLabels.has('dead_ephemeral-compose-lifetime')).toBe(true);
  });
});
