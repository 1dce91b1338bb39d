import { StackStartError } from '../../../src/readiness/outcomes';
import { Verdict } from '../../../src/readiness/verdict';

describe('the verdict of a failed wait', () => {
  it('is the first failure; later ones change nothing', async () => {
    const v = new Verdict();
    expect(v.reached).toBe(false);
    v.fail(new StackStartError('first', {}));
    v.fail(new StackStartError('second', {}));
    expect(v.reached).toBe(true);
    expect(v.signal.aborted).toBe(true);
    expect((await v.error({})).message).toBe('first');
  });

  it('stops the wait at once while the error is still being built, and waits for it', async () => {
    const v = new Verdict();
    let finish: (e: StackStartError) => void = () => undefined;
    const failing = v.failWith(() => new Promise((resolve) => (finish = resolve)));
    expect(v.reached).toBe(true);
    // A failure that comes while the first is being completed does not take its place.
    v.fail(new StackStartError('later', {}));
    let settled = false;
    const error = v.error({}).then((e) => ((settled = true), e));
    await Promise.resolve();
    expect(settled).toBe(false);
    finish(new StackStartError('db failed, with its logs', {}));
    await failing;
    expect((await error).message).toBe('db failed, with its logs');
  });

  it('wakes everything waiting on a change when it is reached', async () => {
    const v = new Verdict();
    const woken = v.changes.wake(60_000);
    v.end();
    await woken;
    expect(v.changes.waiting).toBe(0);
  });

  it('says so when the wait ended without one', async () => {
    const v = new Verdict();
    v.end();
    expect((await v.error({})).message).toBe('The wait ended without a verdict.');
  });
});
