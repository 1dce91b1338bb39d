import { ChangeSignal } from '../../../src/readiness/change-signal';

// The wait primitive on jest's fake clock: a waiter wakes on the first change or its own limit.

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('ChangeSignal', () => {
  it('wakes a waiter on notify, before its time limit', async () => {
    const changes = new ChangeSignal(new AbortController().signal);
    let woke = false;
    void changes.wake(60000).then(() => (woke = true));
    await jest.advanceTimersByTimeAsync(10);
    expect(woke).toBe(false);
    changes.notify();
    await Promise.resolve();
    expect(woke).toBe(true);
    expect(changes.waiting).toBe(0);
  });

  it('wakes a waiter at its time limit when nothing changes, and forgets it', async () => {
    const changes = new ChangeSignal(new AbortController().signal);
    let woke = false;
    void changes.wake(500).then(() => (woke = true));
    await jest.advanceTimersByTimeAsync(499);
    expect(woke).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
    expect(changes.waiting).toBe(0);
  });

  it('until: resolves once the condition holds after a change, looks again each second without one, and ends when stopped or cancelled', async () => {
    const stop = new AbortController();
    const changes = new ChangeSignal(stop.signal);
    let ready = false;
    let done = false;
    void changes.until(() => ready).promise.then(() => (done = true));
    changes.notify();
    await jest.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    ready = true;
    // No notify: the watch looks again within a second.
    await jest.advanceTimersByTimeAsync(1000);
    expect(done).toBe(true);

    let stopped = false;
    void changes.until(() => false).promise.then(() => (stopped = true));
    stop.abort();
    changes.notify();
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(true);

    const other = new ChangeSignal(new AbortController().signal);
    let cancelled = false;
    const watch = other.until(() => false);
    void watch.promise.then(() => (cancelled = true));
    watch.cancel();
    await jest.advanceTimersByTimeAsync(1000);
    expect(cancelled).toBe(true);
  });
});
