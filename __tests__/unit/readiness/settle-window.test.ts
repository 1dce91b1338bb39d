import { parseInspect } from '../../../src/engine/container-facts';
import { TrackedContainer } from '../../../src/readiness/probe-context';
import { settleWindowEnd } from '../../../src/readiness/settle-window';

const container = (patch: Partial<TrackedContainer>, restart = 'no'): TrackedContainer => ({
  id: 'c',
  service: 's',
  restarts: 0,
  ready: true,
  probe: { kind: 'running' },
  facts: parseInspect({ Id: 'c', Name: '/p-s-1', HostConfig: { RestartPolicy: { Name: restart } } }),
  ...patch,
});

describe('the running settle window', () => {
  it('ends a window after the latest start among containers judged running', () => {
    expect(settleWindowEnd([container({ lastStartMs: 1_000 }), container({ lastStartMs: 2_000, probe: { kind: 'running', settleMs: 500 } })], 9_000)).toBe(4_000);
  });
  it('is not held by other probes, containers not ready yet, or one-shots that finished', () => {
    expect(settleWindowEnd([container({ probe: { kind: 'healthy', active: true } }), container({ ready: false }), container({ exitCode: 0 })], 5_000)).toBe(0);
  });
  it('holds a whole window from now for a container the engine is about to restart', () => {
    expect(settleWindowEnd([container({ exitCode: 1, lastStartMs: 1_000 }, 'always')], 5_000)).toBe(8_000);
  });
  it("falls back to the engine's StartedAt, then to now", () => {
    const facts = { ...parseInspect({ Id: 'c', Name: '/x' }), startedAt: 2_500 };
    expect(settleWindowEnd([container({ facts })], 9_000)).toBe(5_500);
    expect(settleWindowEnd([container({ facts: undefined })], 9_000)).toBe(12_000);
  });
});
