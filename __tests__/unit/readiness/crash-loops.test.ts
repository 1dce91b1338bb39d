import { StartPlan } from '../../../src/plan/dependency-graph';
import { countAfresh, countRestart, mayBeWaitingFor, RESTARTS_ALLOWED } from '../../../src/readiness/crash-loops';
import { TrackedContainer } from '../../../src/readiness/probe-context';

// app exits until db is up without declaring it; web depends on app.
const plan: StartPlan = { services: ['app', 'db', 'web'], needs: { app: [], db: [], web: ['app'] }, levels: [['app', 'db'], ['web']] };
const container = (service: string): TrackedContainer => ({ id: service, service, restarts: 0, ready: false });

describe('crash loops', () => {
  it('a service may be waiting for any unsettled service that does not depend on it', () => {
    expect(mayBeWaitingFor(plan, 'app', () => true)).toEqual(['db']);
    expect(mayBeWaitingFor(plan, 'app', (s) => s !== 'db')).toEqual([]);
    expect(mayBeWaitingFor(plan, 'web', () => true)).toEqual(['app', 'db']);
  });

  it('counts exits up to the limit, then judges: a crash loop, or waiting while others start', () => {
    const t = container('app');
    for (let i = 1; i < RESTARTS_ALLOWED; i++) expect(countRestart(t, 1, [])).toEqual({ kind: 'counting' });
    expect(countRestart(t, 2, ['db'])).toEqual({ kind: 'waiting', for: ['db'] });
    expect(t.lastExitCode).toBe(2);
    expect(countRestart(t, 1, [])).toEqual({ kind: 'crash-loop' });
  });

  it('counts exits afresh, once, when nothing is left to wait for', () => {
    const waiting = { ...container('app'), restarts: 4 };
    const free = { ...container('web'), restarts: 2 };
    const never = container('db');
    countAfresh([waiting, free, never], (t) => t.service === 'app');
    expect([waiting.restarts, free.restarts, never.restarts]).toEqual([4, 0, 0]);
    expect(free.countedAfresh).toBe(true);
    free.restarts = 3;
    countAfresh([free], () => false);
    expect(free.restarts).toBe(3);
  });
});
