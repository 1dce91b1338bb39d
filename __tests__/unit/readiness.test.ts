import { ContainerFacts, parseInspect, willRestart } from '../../src/engine/container-facts';
import { parseResolvedConfig } from '../../src/compose/compose-model';
import { defaultProbe, exitCompletes, probeAddress, rulesFromConditions } from '../../src/plan/readiness-rules';
import { describeProbe, parseWaitFor } from '../../src/plan/wait-for';
import { parseEventLine } from '../../src/engine/engine-events';

// Trimmed from `docker inspect` on Engine 20.10.
const INSPECT = {
  Id: 'abc123',
  Name: '/proj_db_1',
  RestartCount: 0,
  State: { Status: 'running', ExitCode: 0, Health: { Status: 'starting', Log: [{ Output: 'mysqld is not ready\n' }] } },
  Config: {
    Image: 'mariadb:local',
    Labels: { 'com.docker.compose.service': 'db', 'com.docker.compose.project': 'proj' },
    ExposedPorts: { '3306/tcp': {}, '33060/tcp': {}, '53/udp': {} },
    Healthcheck: { Test: ['CMD-SHELL', 'mysqladmin ping'], Timeout: 5000000000 },
  },
  HostConfig: { NetworkMode: 'proj_default', RestartPolicy: { Name: 'on-failure' } },
  NetworkSettings: {
    Ports: {
      '3306/tcp': [
        { HostIp: '0.0.0.0', HostPort: '49153' },
        { HostIp: '::', HostPort: '49153' },
      ],
      '33060/tcp': null,
    },
    Networks: { proj_default: { IPAddress: '172.18.0.2' } },
  },
};

const facts = (patch: Partial<ContainerFacts> = {}): ContainerFacts => ({ ...parseInspect(INSPECT), ...patch });

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

describe('wait-for', () => {
  it('reads every probe kind', () => {
    const rules = parseWaitFor([
      'web: http://:8080/health',
      'api: https://localhost:8443/ status=204 timeout=30',
      'db: tcp:3306,33060',
      'worker: log:/ready to accept: connections/i',
      'migrate: exit:0',
      'cache: none',
      'queue: healthy engine timeout=120',
      'app: running',
      '# a comment',
      '',
    ]);
    expect(rules.web.probe).toEqual({ kind: 'http', scheme: 'http', host: '', port: 8080, path: '/health', status: undefined });
    expect(rules.api).toEqual({ probe: { kind: 'http', scheme: 'https', host: 'localhost', port: 8443, path: '/', status: 204 }, timeoutSeconds: 30 });
    expect(rules.db.probe).toEqual({ kind: 'tcp', ports: [3306, 33060] });
    const log = rules.worker.probe as { kind: 'log'; pattern: RegExp };
    expect(log.pattern.test('Ready To Accept: Connections')).toBe(true);
    expect(rules.migrate.probe).toEqual({ kind: 'exit', code: 0 });
    expect(rules.cache.probe).toEqual({ kind: 'none' });
    expect(rules.queue).toEqual({ probe: { kind: 'healthy', active: false }, timeoutSeconds: 120 });
    expect(rules.app.probe).toEqual({ kind: 'running' });
  });
  it('reads a settle window for running', () => {
    expect(parseWaitFor(['myapp: running 5s']).myapp.probe).toEqual({ kind: 'running', settleMs: 5000 });
    expect(parseWaitFor(['myapp: running 250ms timeout=9']).myapp).toEqual({ probe: { kind: 'running', settleMs: 250 }, timeoutSeconds: 9 });
    expect(() => parseWaitFor(['myapp: running soon'])).toThrow("'soon' is not a duration");
    expect(describeProbe({ kind: 'running', settleMs: 5000 })).toBe('container to run for 5 s');
  });
  it('drops the g and y flags of a log pattern, which would make a line match only every other time', () => {
    const { worker } = parseWaitFor(['worker: log:/ready/gyi']);
    const pattern = (worker.probe as { kind: 'log'; pattern: RegExp }).pattern;
    expect(pattern.flags).toBe('i');
    expect([pattern.test('READY'), pattern.test('READY'), pattern.test('x ready')]).toEqual([true, true, true]);
  });
  it.each([
    ['db tcp:3306', "no '<service>:' at the start"],
    ['db:', 'no probe after the service name'],
    ['db: tcp:99999', "'99999' is not a port"],
    ['db: ping', "unknown probe 'ping'"],
    ['db: log:/(/', 'bad regular expression'],
    ['web: http://localhost/health', 'an HTTP probe needs a port'],
    ['db: tcp:1 timeout=abc', "'timeout=abc' is not a positive number"],
    ['web: http://:80/ status=ok', "'status=ok' is not an HTTP status"],
    ['job: exit:300', "'300' is not an exit code"],
  ])('rejects %j', (line, why) => {
    expect(() => parseWaitFor([line])).toThrow(why);
    expect(() => parseWaitFor([line])).toThrow("Input 'wait-for'");
  });
  it('rejects two lines for one service', () => {
    expect(() => parseWaitFor(['db: none', 'db: running'])).toThrow("service 'db' has more than one line");
  });
  it('describes probes for progress and timeout messages', () => {
    expect(describeProbe({ kind: 'tcp', ports: [3306] })).toBe('port 3306 to accept connections');
    expect(describeProbe({ kind: 'http', scheme: 'http', host: '', port: 80, path: '/h' })).toBe('http://<container>:80/h to answer 2xx/3xx');
  });
});

describe('engine events', () => {
  it('reads health, die and start events', () => {
    const ev = parseEventLine(
      '{"status":"health_status: healthy","id":"abc","Type":"container","Action":"health_status: healthy","Actor":{"ID":"abc","Attributes":{}},"time":1,"timeNano":1500000000}',
    );
    expect(ev).toEqual({ id: 'abc', action: 'health_status', health: 'healthy', exitCode: undefined, timeMs: 1500 });
    expect(parseEventLine('{"Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3"}},"timeNano":0,"time":2}')).toMatchObject({ action: 'die', exitCode: 3, timeMs: 2000 });
    expect(parseEventLine('not json')).toBeUndefined();
  });
});
