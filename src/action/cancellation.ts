// The runner cancels a step with SIGINT, then SIGTERM: either aborts the step's work once, with
// one line saying what happens next.

export interface Cancellation {
  signal: AbortSignal;
  /** Stops listening: the step is over. */
  dispose(): void;
}

export function listenForCancel(say: (line: string) => void, whatNext: string): Cancellation {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) say(`Received ${signal}: ${whatNext}`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
