// How the scheduler and the probes wait for "something changed": an engine event arrived, a
// service settled, the step failed. Waiters sleep until the next change or their own time limit,
// whichever comes first, so no one polls faster than things happen.

export class ChangeSignal {
  private readonly waiters = new Set<() => void>();

  /** `stopped` ends every `until` watch (the step failed or finished). */
  constructor(private readonly stopped: AbortSignal) {}

  /** Wakes everyone waiting now. */
  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves on the next notify() or after `ms`, whichever is first. */
  wake(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /**
   * Resolves once `condition` holds after some notify() (looked at least every second, in case a
   * change came without one), or once stopped; cancel() ends the watch.
   */
  until(condition: () => boolean): { promise: Promise<undefined>; cancel: () => void } {
    let live = true;
    const promise = (async () => {
      while (live && !this.stopped.aborted && !condition()) await this.wake(1000);
      return undefined;
    })();
    return { promise, cancel: () => (live = false) };
  }

  /** How many are waiting (for tests). */
  get waiting(): number {
    return this.waiters.size;
  }
}
