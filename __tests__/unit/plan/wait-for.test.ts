import { describeProbe, parseWaitFor } from '../../../src/plan/wait-for';

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
