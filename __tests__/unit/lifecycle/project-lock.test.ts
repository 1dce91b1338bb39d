import { acquireProjectLock, containerLocks, lockName, releaseProjectLock, tryProjectLock } from '../../../src/lifecycle/project-lock';
import { FakeDocker } from '../../helpers/fake-docker';

// One run at a time per project: the lock container's name is given to one creator only.

describe('project lock', () => {
  const docker = () => new FakeDocker({ yaml: 'services:\n  a:\n    image: x\n' });

  it('waits for the holder to release it, saying who holds it, then takes it', async () => {
    const d = docker();
    await d.createLock(lockName('p'), { 'ephemeral-compose.run': 'https://gh/run/1', 'ephemeral-compose.deployed-at': '2026-01-01T00:00:00.000Z' });
    setTimeout(() => d.locks.delete(lockName('p')), 50);
    const lines: string[] = [];
    const lock = await acquireProjectLock(containerLocks(d), 'p', { waitMs: 2000, leaseMs: 60_000, pollMs: 10, log: (l) => lines.push(l), run: 'https://gh/run/2' });
    expect(lines).toEqual(['Project p is being changed by another run (https://gh/run/1, since 2026-01-01T00:00:00.000Z): waiting for it.']);
    expect(d.locks.get(lockName('p'))).toMatchObject({ 'ephemeral-compose.lock': 'p', 'ephemeral-compose.run': 'https://gh/run/2' });
    expect(await releaseProjectLock(containerLocks(d), lock)).toBe(true);
    expect(d.locks.size).toBe(0);
  });

  it('does not wait when asked not to, and stops waiting on a cancel', async () => {
    const d = docker();
    await d.createLock(lockName('p'), {});
    expect(await tryProjectLock(containerLocks(d), 'p', { waitMs: 0, leaseMs: 60_000, log: () => undefined })).toBeUndefined();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const started = Date.now();
    await expect(acquireProjectLock(containerLocks(d), 'p', { waitMs: 10_000, leaseMs: 60_000, pollMs: 1000, signal: controller.signal, log: () => undefined })).rejects.toThrow(
      'Cancelled while waiting for the lock of project p.',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('releases only its own lock', async () => {
    const d = docker();
    const lock = await acquireProjectLock(containerLocks(d), 'p', { waitMs: 0, leaseMs: 60_000, log: () => undefined });
    expect(await releaseProjectLock(containerLocks(d), { ...lock, token: 'someone-else' })).toBe(false);
    expect(d.locks.size).toBe(1);
  });

  it('takes over a lock whose lease is over, saying whose it was; a running lease is waited for', async () => {
    const d = docker();
    const past = new Date(Date.now() - 1000).toISOString();
    await d.createLock(lockName('p'), { 'ephemeral-compose.run': 'https://gh/run/dead', 'ephemeral-compose.lease-until': past });
    const lines: string[] = [];
    const lock = await acquireProjectLock(containerLocks(d), 'p', { waitMs: 0, leaseMs: 60_000, log: (l) => lines.push(l), run: 'https://gh/run/next' });
    expect(lines).toEqual([`Project p's lock was held by https://gh/run/dead until ${past}, which has passed: taken over.`]);
    expect(d.locks.get(lockName('p'))).toMatchObject({ 'ephemeral-compose.run': 'https://gh/run/next', 'ephemeral-compose.lock-token': lock.token });
    // Its own lease runs a minute: the next run waits, and gives up at its timeout.
    expect(Date.parse(d.locks.get(lockName('p'))?.['ephemeral-compose.lease-until'] ?? '')).toBeGreaterThan(Date.now() + 50_000);
    expect(await tryProjectLock(containerLocks(d), 'p', { waitMs: 50, pollMs: 10, leaseMs: 60_000, log: () => undefined })).toBeUndefined();
    // A lock without a lease (written by hand, or by an older version) is never taken over.
    const e = docker();
    await e.createLock(lockName('p'), {});
    expect(await tryProjectLock(containerLocks(e), 'p', { waitMs: 0, leaseMs: 60_000, log: () => undefined })).toBeUndefined();
  });
});
