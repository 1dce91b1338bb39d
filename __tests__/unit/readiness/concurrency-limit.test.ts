import { ConcurrencyLimit } from '../../../src/readiness/concurrency-limit';

test('runs at most max tasks at once, all of them in the end, errors passed through', async () => {
  const limit = new ConcurrencyLimit(3);
  let now = 0;
  let peak = 0;
  const task = (i: number) =>
    limit.run(async () => {
      now++;
      peak = Math.max(peak, now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      if (i === 7) throw new Error('seven');
      return i;
    });
  const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => task(i)));
  expect(peak).toBe(3);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(19);
  expect(results[7]).toEqual({ status: 'rejected', reason: new Error('seven') });
});
