import { applyEvent, unhealthyReason } from '../../../src/readiness/container-events';
import { TrackedContainer } from '../../../src/readiness/probe-context';
import { Probe } from '../../../src/plan/wait-for';
import { facts } from '../../helpers/inspect-sample';

const container = (patch: Partial<TrackedContainer> = {}): TrackedContainer => ({
  id: 'c1',
  service: 'db',
  restarts: 0,
  ready: false,
  facts: facts({ name: 'proj-db-1', restartPolicy: 'no' }),
  ...patch,
});
const tcp: Probe = { kind: 'tcp', ports: [3306] };
const running: Probe = { kind: 'running', settleMs: 1000 };
const die = (exitCode: number) => ({ id: 'c1', action: 'die', exitCode, timeMs: 5 });

describe('what an engine event means for its container', () => {
  it('a start clears the last exit and health and moves the settle window to the event', () => {
    const t = container({ exitCode: 1, eventHealth: 'unhealthy' });
    expect(applyEvent(t, { id: 'c1', action: 'start', timeMs: 1234 })).toEqual({ kind: 'started' });
    expect(t).toMatchObject({ exitCode: undefined, eventHealth: undefined, lastStartMs: 1234 });
    // An event without a time is dated when it arrives.
    applyEvent(t, { id: 'c1', action: 'start', timeMs: 0 }, 99);
    expect(t.lastStartMs).toBe(99);
  });

  it('an exit before readiness is the probe’s to judge', () => {
    const t = container({ probe: tcp });
    expect(applyEvent(t, die(1))).toEqual({ kind: 'exited', code: 1 });
    expect(t.exitCode).toBe(1);
  });

  it('an exit after readiness fails the service, unless the restart policy brings it back', () => {
    expect(applyEvent(container({ ready: true, probe: tcp }), die(137))).toEqual({
      kind: 'exited',
      code: 137,
      failed: 'container proj-db-1 exited with code 137 after it was ready',
    });
    const restarted = container({ ready: true, probe: tcp, facts: facts({ restartPolicy: 'always' }) });
    expect(applyEvent(restarted, die(137))).toEqual({ kind: 'exited', code: 137 });
  });

  it('a one-shot seen running that exits 0 has finished; a non-zero exit fails it', () => {
    expect(applyEvent(container({ ready: true, probe: running }), die(0))).toEqual({ kind: 'exited', code: 0, finished: true });
    expect(applyEvent(container({ ready: true, probe: running }), die(2))).toEqual({
      kind: 'exited',
      code: 2,
      failed: 'container proj-db-1 exited with code 2 after it was ready',
    });
  });

  it('an unhealthy event stands out; other health news does not', () => {
    const t = container();
    expect(applyEvent(t, { id: 'c1', action: 'health_status', health: 'healthy', timeMs: 1 })).toEqual({ kind: 'other' });
    expect(applyEvent(t, { id: 'c1', action: 'health_status', health: 'unhealthy', timeMs: 2 })).toEqual({ kind: 'unhealthy' });
    expect(t.eventHealth).toBe('unhealthy');
    expect(applyEvent(t, { id: 'c1', action: 'exec_create', timeMs: 3 })).toEqual({ kind: 'other' });
  });

  it('says why unhealthy fails, with the end of the last check’s output', () => {
    expect(unhealthyReason(container())).toBe('container proj-db-1 became unhealthy');
    const long = `${'x'.repeat(600)}END`;
    const reason = unhealthyReason(container(), long);
    expect(reason).toMatch(/; last health-check output: x+END$/);
    expect(reason.length).toBeLessThan(600);
  });
});
