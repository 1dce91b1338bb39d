import { parseInspect } from '../../../src/engine/container-facts';
import { describeExit, exitsAfterMain } from '../../../src/lifecycle/exits-after-main';

const container = (id: string, state: Record<string, unknown>, restarts = 0) =>
  parseInspect({ Id: id, Name: `/p-${id}-1`, RestartCount: restarts, State: state, Config: { Labels: {} } });

describe('exitsAfterMain', () => {
  it('finds what died or restarted since main, and only that', () => {
    const watched = [
      { service: 'web', id: 'w', restarts: 0 },
      { service: 'worker', id: 'k', restarts: 1 },
      { service: 'app', id: 'a', restarts: 0 },
      { service: 'job', id: 'j', restarts: 0 },
      { service: 'gone', id: 'g', restarts: 0 },
    ];
    const facts = [
      container('w', { Status: 'exited', ExitCode: 137, FinishedAt: '2026-11-26T08:01:00Z' }),
      container('k', { Status: 'running' }, 3),
      container('a', { Status: 'running' }, 0),
      container('j', { Status: 'exited', ExitCode: 0, FinishedAt: '2026-11-26T08:02:00Z' }),
    ];
    const exits = exitsAfterMain(watched, facts);
    expect(exits).toEqual([
      { service: 'web', container: 'p-w-1', exitCode: 137, at: '2026-11-26T08:01:00.000Z', restartsSince: 0, failed: true },
      { service: 'worker', container: 'p-k-1', exitCode: undefined, at: undefined, restartsSince: 2, failed: true },
      { service: 'job', container: 'p-j-1', exitCode: 0, at: '2026-11-26T08:02:00.000Z', restartsSince: 0, failed: false },
    ]);
    expect(describeExit(exits[0])).toBe("Service 'web' (p-w-1) exited with code 137 at 2026-11-26T08:01:00.000Z, after the main step had found it ready.");
    expect(describeExit(exits[1])).toBe("Service 'worker' (p-k-1) is restarting (2 restarts), after the main step had found it ready.");
  });
});
