import { ChangeSignal } from './change-signal';
import { Outcomes, StackStartError } from './outcomes';

// How the wait ends when it fails: the first failure wins and stops everything waiting at once (no
// other service starts after it); a service's failure is completed with its logs before the wait
// gives up, and its error is built once, then. Success is the scheduler's to see: all settled.

export class Verdict {
  private readonly stopper = new AbortController();
  /** Wakes the scheduler and the probes on any change; ended with the wait. */
  readonly changes = new ChangeSignal(this.stopper.signal);
  private failure?: StackStartError;
  private completing: Promise<void> = Promise.resolve();

  /** Aborted once the wait ends, by a failure or because it is over. */
  get signal(): AbortSignal {
    return this.stopper.signal;
  }

  get reached(): boolean {
    return this.stopper.signal.aborted;
  }

  end(): void {
    this.stopper.abort();
    this.changes.notify();
  }

  fail(error: StackStartError): void {
    if (this.reached) return;
    this.failure = error;
    this.end();
  }

  /** Stops the wait now; the error is the one `build` makes (it may read logs first). */
  failWith(build: () => Promise<StackStartError>): Promise<void> {
    if (this.reached) return Promise.resolve();
    this.end();
    this.completing = build().then((error) => {
      this.failure = error;
    });
    return this.completing;
  }

  /** The failure the wait ended with, once complete. */
  async error(outcomes: Outcomes): Promise<StackStartError> {
    await this.completing;
    return this.failure ?? new StackStartError('The wait ended without a verdict.', outcomes);
  }
}
