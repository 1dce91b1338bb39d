import { parseInspect } from '../../../src/engine/container-facts';
import { probeAddress } from '../../../src/plan/readiness-rules';
import { facts, INSPECT } from '../../helpers/inspect-sample';

describe('parseInspect', () => {
  it('reads the facts readiness needs', () => {
    expect(facts()).toMatchObject({
      id: 'abc123',
      name: 'proj_db_1',
      service: 'db',
      status: 'running',
      health: 'starting',
      lastHealthOutput: 'mysqld is not ready',
      hasHealthcheck: true,
      healthTimeoutMs: 5000,
      ipAddresses: ['172.18.0.2'],
      exposedTcpPorts: [3306, 33060],
      restartPolicy: 'on-failure',
    });
    expect(facts().bindings).toEqual([
      { target: 3306, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 49153 },
      { target: 3306, protocol: 'tcp', hostIp: '::', hostPort: 49153 },
    ]);
  });
  it('reads exposed ports written without a protocol, as Compose v2 writes them', () => {
    const f = parseInspect({ ...INSPECT, Config: { ...INSPECT.Config, ExposedPorts: { '3306': {}, '8080/tcp': {}, '53/udp': {} } } });
    expect(f.exposedTcpPorts).toEqual([3306, 8080]);
  });
  it('reads start and finish times, the image SHELL and IPv6 addresses', () => {
    const f = parseInspect({
      ...INSPECT,
      State: { ...INSPECT.State, StartedAt: '2026-11-26T08:00:01.5Z', FinishedAt: '0001-01-01T00:00:00Z' },
      Config: { ...INSPECT.Config, Shell: ['/bin/bash', '-c'] },
      NetworkSettings: { ...INSPECT.NetworkSettings, Networks: { v6only: { IPAddress: '', GlobalIPv6Address: 'fd00::2' } } },
    });
    expect(f.startedAt).toBe(Date.parse('2026-11-26T08:00:01.5Z'));
    expect(f.finishedAt).toBeUndefined();
    expect(f.shell).toEqual(['/bin/bash', '-c']);
    expect(f.ipAddresses).toEqual(['fd00::2']);
    expect(probeAddress(f)).toBe('fd00::2');
  });
  it('treats a NONE healthcheck as none', () => {
    const f = parseInspect({ ...INSPECT, Config: { ...INSPECT.Config, Healthcheck: { Test: ['NONE'] } } });
    expect(f.hasHealthcheck).toBe(false);
  });
});
