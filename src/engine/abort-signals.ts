// Signals that end a call when any of the ones given does (the step's cancel, a call's own limit).

/** Ends when any of `signals` does; the undefined ones are left out. */
export const anyOf = (...signals: (AbortSignal | undefined)[]): AbortSignal => AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));

/** Waits `ms`, ended early (resolving) when `signal` aborts; the listener goes with the wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
