import { startBatch } from '../../../src/readiness/batch-start';
import { ConcurrencyLimit } from '../../../src/readiness/concurrency-limit';

/** Records each start call as it begins and ends; each takes `ms` on jest's fake clock. */
function engine(ms = 100) {
  const calls: string[] = [];
  return {
    calls,
    start: async (ids: string[]) => {
      calls.push(`start ${ids.join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      calls.push(`started ${ids.join(',')}`);
    },
    composeStart: async (services: string[]) => {
      calls.push(`compose start ${services.join(',')}`);
    },
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('one start call', () => {
  it('starts the batch together, then the containers that start alone one by one; compose starts its own beside them', async () => {
    const e = engine();
    const done = startBatch(e, { together: ['a', 'b'], alone: ['p1', 'p2'], viaCompose: ['hooked'] }, new ConcurrencyLimit(1));
    await jest.runAllTimersAsync();
    await done;
    expect(e.calls).toEqual(['start a,b', 'compose start hooked', 'started a,b', 'start p1', 'started p1', 'start p2', 'started p2']);
  });

  it('does not call compose when it has nothing to start', async () => {
    const e = engine();
    const done = startBatch(e, { together: ['a'], alone: [], viaCompose: [] }, new ConcurrencyLimit(1));
    await jest.runAllTimersAsync();
    await done;
    expect(e.calls).toEqual(['start a', 'started a']);
  });

  it('starts containers that start alone one at a time across concurrent calls too', async () => {
    const e = engine();
    const limit = new ConcurrencyLimit(1);
    const both = Promise.all([startBatch(e, { together: [], alone: ['p1'], viaCompose: [] }, limit), startBatch(e, { together: [], alone: ['p2'], viaCompose: [] }, limit)]);
    await jest.runAllTimersAsync();
    await both;
    const alone = e.calls.filter((c) => /p\d/.test(c));
    expect(alone).toEqual(['start p1', 'started p1', 'start p2', 'started p2']);
  });

  it('fails with the engine’s error', async () => {
    const failing = { start: async () => Promise.reject(new Error('no such image')), composeStart: async () => undefined };
    await expect(startBatch(failing, { together: ['a'], alone: [], viaCompose: [] }, new ConcurrencyLimit(1))).rejects.toThrow('no such image');
  });
});
