import { willRestart } from '../../../src/engine/container-facts';
import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { defaultProbe, exitCompletes, probeAddress, rulesFromConditions } from '../../../src/plan/readiness-rules';
import { facts } from '../../helpers/inspect-sample';

describe('default readiness', () => {
  it('uses the healthcheck first, then TCP ports, then running', () => {
    expect(defaultProbe(facts())).toEqual({ kind: 'healthy', active: true });
    // 3306 is published (compose declares it); 33060 only the image EXPOSEs: one of those is enough.
    expect(defaultProbe(facts({ hasHealthcheck: false }))).toEqual({ kind: 'tcp', ports: [3306], anyOf: [33060] });
    expect(defaultProbe(facts({ hasHealthcheck: false }), [3306, 33060])).toEqual({ kind: 'tcp', ports: [3306, 33060] });
    expect(defaultProbe(facts({ hasHealthcheck: false, bindings: [] }))).toEqual({ kind: 'tcp', ports: [], anyOf: [3306, 33060] });
    expect(defaultProbe(facts({ hasHealthcheck: false, exposedTcpPorts: [], bindings: [] }))).toEqual({ kind: 'running' });
  });
  it('probes at the container, or loopback with host networking', () => {
    expect(probeAddress(facts())).toBe('172.18.0.2');
    expect(probeAddress(facts({ networkMode: 'host', ipAddresses: [] }))).toBe('127.0.0.1');
    expect(probeAddress(facts({ networkMode: 'container:x', ipAddresses: [] }), facts())).toBe('172.18.0.2');
    expect(probeAddress(facts({ networkMode: 'none', ipAddresses: [] }))).toBeUndefined();
  });
  it('counts an exit 0 as completion unless the user asked for something else', () => {
    expect(exitCompletes({ kind: 'running' }, 0)).toBe(true);
    expect(exitCompletes({ kind: 'tcp', ports: [80] }, 0)).toBe(true);
    expect(exitCompletes({ kind: 'running' }, 1)).toBe(false);
    expect(exitCompletes({ kind: 'exit', code: 3 }, 3)).toBe(true);
    expect(exitCompletes({ kind: 'log', pattern: /x/ }, 0)).toBe(false);
    // Health that was asked for (wait-for, condition: service_healthy) is never shown by an exit.
    expect(exitCompletes({ kind: 'healthy', active: true }, 0)).toBe(true);
    expect(exitCompletes({ kind: 'healthy', active: true }, 0, true)).toBe(false);
    // Ports the compose file declares are a promise to serve them: an exit, even 0, breaks it.
    expect(exitCompletes({ kind: 'tcp', ports: [80] }, 0, false, true)).toBe(false);
    expect(exitCompletes({ kind: 'healthy', active: true }, 0, false, true)).toBe(false);
    expect(exitCompletes({ kind: 'exit', code: 0 }, 0, true, true)).toBe(true);
  });
  it("honours the compose file's depends_on conditions, the user's wait-for lines first", () => {
    const model = parseResolvedConfig(`
services:
  db: {image: mariadb, healthcheck: {test: [CMD, ping]}}
  init: {image: airflow, depends_on: {db: {condition: service_healthy}}}
  web: {image: airflow, depends_on: {init: {condition: service_completed_successfully}, db: {condition: service_started}}}
  cache: {image: redis}
  app: {image: app, depends_on: [cache]}
`);
    const all = Object.keys(model.services);
    expect(rulesFromConditions(model, all, {})).toEqual({
      db: { probe: { kind: 'healthy', active: true } },
      init: { probe: { kind: 'exit', code: 0 } },
    });
    const user = { init: { probe: { kind: 'log', pattern: /migrated/ } as const } };
    expect(rulesFromConditions(model, all, user).init).toBe(user.init);
    // A dependent that will not run asks nothing.
    expect(rulesFromConditions(model, ['db', 'init'], {})).toEqual({ db: { probe: { kind: 'healthy', active: true } } });
  });
  it('knows which exits the engine restarts', () => {
    expect(willRestart(facts(), 1)).toBe(true);
    expect(willRestart(facts(), 0)).toBe(false);
    expect(willRestart(facts({ restartPolicy: 'always' }), 0)).toBe(true);
    expect(willRestart(facts({ restartPolicy: 'no' }), 1)).toBe(false);
  });
});
