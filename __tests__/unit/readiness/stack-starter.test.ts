import { start } from '../../helpers/fake-stack-engine';

// The scheduler driven by a fake engine that emits events as a real one does, on jest's fake clock
// (the helper moves it on until the wait ends, so `ms` is the time the wait took on that clock).

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('the running settle window', () => {
  const app = 'services:\n  app: {image: x}\n';

  it('fails a crash inside it, on the die event', async () => {
    const r = await start(app, { app: { exitAfterMs: 150, exitCode: 1 } }, { waitFor: ['app: running 600ms'] });
    expect(r.error?.message).toContain("Service 'app' failed");
    expect(r.error?.message).toContain('exited with code 1 after it was ready');
    expect(r.error?.outcomes.app).toMatchObject({ status: 'failed', exitCode: 1 });
    expect(r.ms).toBeLessThan(500);
  });

  it('passes a service that stays up, after the window counted from its own start', async () => {
    const r = await start(app, { app: {} }, { waitFor: ['app: running 400ms'] });
    expect(r.error).toBeUndefined();
    expect(r.outcomes?.app.status).toBe('ready');
    expect(r.ms).toBeGreaterThanOrEqual(380);
    // Started by the engine long ago: nothing left to wait for.
    const early = await start(app, { app: { startedEarlierMs: 1000 } }, { waitFor: ['app: running 400ms'] });
    expect(early.ms).toBeLessThan(300);
  });

  it('overlapping windows do not add up', async () => {
    const r = await start(
      'services:\n  a: {image: x}\n  b: {image: x}\n  c: {image: x, depends_on: [a]}\n',
      { a: {}, b: {}, c: {} },
      { waitFor: ['a: running 400ms', 'b: running 400ms', 'c: running 400ms'] },
    );
    expect(r.error).toBeUndefined();
    // c starts as soon as a runs; all three windows run together.
    expect(r.ms).toBeLessThan(800);
  });

  it('lets a one-shot finish with exit 0 inside it', async () => {
    const r = await start(app, { app: { exitAfterMs: 100, exitCode: 0 } }, { waitFor: ['app: running 500ms'] });
    expect(r.error).toBeUndefined();
    // Seen running first, then finished: reported as a one-shot that completed.
    expect(r.outcomes?.app).toMatchObject({ status: 'completed', exitCode: 0 });
  });
});

describe('exit 0 is not health', () => {
  it('fails a service a dependent needs healthy that exits 0 first; the dependent never starts', async () => {
    const yaml = 'services:\n  db: {image: x, healthcheck: {test: [CMD, ping]}}\n  web: {image: x, depends_on: {db: {condition: service_healthy}}}\n';
    const r = await start(yaml, { db: { exitAfterMs: 50, exitCode: 0, healthcheck: ['CMD', 'ping'] }, web: {} });
    expect(r.error?.message).toContain('exited with code 0 before it was ready');
    expect(r.error?.message).toContain('Not started because of it: web');
    expect(r.engine.started).toEqual(['db']);
  });

  it('lets a one-shot on an image with a healthcheck complete when nobody asked for its health', async () => {
    const yaml = 'services:\n  migrate: {image: x}\n  web: {image: x, depends_on: [migrate]}\n';
    const r = await start(yaml, { migrate: { exitAfterMs: 50, exitCode: 0, healthcheck: ['CMD', 'ping'] }, web: {} }, { waitFor: ['web: running 10ms'] });
    expect(r.error).toBeUndefined();
    expect(r.outcomes?.migrate.status).toBe('completed');
  });
});

describe('ports', () => {
  it("needs every declared port, and one of the image's own", async () => {
    const yaml = 'services:\n  mq: {image: rabbitmq, ports: ["5672"]}\n';
    const exposed = ['4369/tcp', '5671/tcp', '5672/tcp', '15691/tcp', '25672/tcp'];
    const r = await start(yaml, { mq: { exposed } }, { open: { '10.0.0.2': [5672, 25672] } });
    expect(r.error).toBeUndefined();
    expect(r.lines.join('\n')).toMatch(/mq\s+listening.*\(port 5672; image port 25672 of 4369, 5671, 15691, 25672\)/);
    const closed = await start(yaml, { mq: { exposed } }, { open: { '10.0.0.2': [25672] }, timeoutMs: 300 });
    expect(closed.error?.message).toContain('ECONNREFUSED at 10.0.0.2:5672');
  });

  it('notices a port soon after it opens', async () => {
    const open: Record<string, number[]> = { '10.0.0.2': [] };
    setTimeout(() => open['10.0.0.2'].push(3306), 300);
    const r = await start('services:\n  db: {image: x, expose: ["3306"]}\n', { db: {} }, { open });
    expect(r.error).toBeUndefined();
    expect(r.ms).toBeLessThan(300 + 60);
  });
});

describe('scaled to 0', () => {
  it('is skipped, and its dependents start', async () => {
    const r = await start('services:\n  off: {image: x, deploy: {replicas: 0}}\n  app: {image: x, depends_on: [off]}\n', { off: {}, app: {} }, { waitFor: ['app: running 10ms'] });
    expect(r.error).toBeUndefined();
    expect(r.outcomes?.off.status).toBe('skipped');
    expect(r.engine.started).toEqual(['app']);
  });
});

describe('start calls', () => {
  it('do not wait for each other: a service that becomes startable starts while an earlier start is under way', async () => {
    const yaml = `services:
  x: {image: x}
  slow: {image: x, depends_on: [x]}
  y: {image: x, healthcheck: {test: [CMD, ping]}}
  z: {image: x, depends_on: {y: {condition: service_healthy}}}
`;
    const r = await start(
      yaml,
      { x: {}, slow: { startTakesMs: 800 }, y: { healthcheck: ['CMD', 'ping'], healthyAfterMs: 150 }, z: {} },
      { waitFor: ['x: running 10ms', 'slow: running 10ms', 'z: running 10ms'] },
    );
    expect(r.error).toBeUndefined();
    // z's start began when y was healthy, not after slow's start returned.
    expect(r.engine.started.indexOf('z')).toBeLessThan(r.engine.started.indexOf('slow'));
    expect(r.lines.filter((l) => l.includes(': starting'))).toEqual([
      expect.stringMatching(/^Level 0: starting x, y /),
      expect.stringMatching(/^Level 1: starting slow /),
      expect.stringMatching(/^Level 1: starting z /),
    ]);
  });
});

describe("the action's own healthcheck run", () => {
  it('is ended when the engine says healthy first', async () => {
    const r = await start('services:\n  db: {image: x}\n', { db: { healthcheck: ['CMD-SHELL', 'ping'], healthyAfterMs: 100 } });
    expect(r.error).toBeUndefined();
    expect(r.engine.execSignals.length).toBeGreaterThan(0);
    expect(r.engine.execSignals.every((s) => s.aborted)).toBe(true);
  });
});

describe('a crash loop', () => {
  it('holds the settle window while the engine restarts it, and fails after three exits', async () => {
    const engine = await start('services:\n  app: {image: x, restart: always}\n', { app: { restart: 'always', exitAfterMs: 30, exitCode: 2 } }, { waitFor: ['app: running 2s'] });
    expect(engine.error?.message).toContain('is restarting repeatedly');
    // Its last exit, though the engine has started it again since.
    expect(engine.error?.outcomes.app.exitCode).toBe(2);
  });

  it('waits while a service it may be retrying for (not in its depends_on) still starts, then judges it', async () => {
    // app retries through restart: always until db, which it does not declare, is up.
    const yaml = 'services:\n  db: {image: x}\n  app: {image: x, restart: always}\n';
    // db is healthy 700 ms in; app exits with 1 every `exitAfterMs` while it crashes.
    const withLateDb = (exitAfterMs: number, crashUntilMs: number, waitFor?: string[]) =>
      start(yaml, { db: { healthcheck: ['CMD', 'ping'], healthyAfterMs: 700 }, app: { restart: 'always', exitAfterMs, exitCode: 1, crashUntilMs } }, { waitFor });
    const retrying = await withLateDb(30, 750, ['app: running 300ms']);
    expect(retrying.error).toBeUndefined();
    expect(retrying.outcomes?.app.status).toBe('ready');
    expect(retrying.lines.join('\n')).toMatch(/app +restarting +\d+ exits \(last code 1\); judged once db is up/);
    // Two exits when db settles, and a third from an attempt begun before it: counted afresh, not the third.
    const late = await withLateDb(300, 750, ['app: running 300ms']);
    expect(late.error).toBeUndefined();
    expect(late.outcomes?.app.status).toBe('ready');
    // Still crashing once db is up: failed then, not at the first three exits, not at the timeout.
    const broken = await withLateDb(30, 60_000);
    expect(broken.error?.message).toContain('is restarting repeatedly');
    expect(broken.ms).toBeGreaterThanOrEqual(650);
    expect(broken.ms).toBeLessThan(2500);
  });
});

describe('a container this machine cannot reach', () => {
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
  const listening = (port: number) =>
    `   0: 00000000:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0`;

  it('is never probed at its address; its ports are read inside it', async () => {
    let open = false;
    setTimeout(() => (open = true), 200);
    const probed: string[] = [];
    const r = await start(
      'services:\n  db: {image: x, expose: ["3306"]}\n',
      { db: { procNetTcp: () => [header, ...(open ? [listening(3306)] : [])].join('\n') } },
      {
        // Even an address that would answer through a default route is not asked.
        open: { '10.0.0.2': [3306] },
        reachable: (a) => {
          probed.push(a);
          return false;
        },
      },
    );
    expect(r.error).toBeUndefined();
    expect(r.ms).toBeGreaterThanOrEqual(200);
    expect(r.lines.join('\n')).toMatch(/db\s+listening.*\(port 3306, read inside the container\)/);
    expect(probed).toContain('10.0.0.2');
  });

  it('without cat or sh, fails with a message that says what to use instead', async () => {
    const r = await start('services:\n  db: {image: x, expose: ["3306"]}\n', { db: { bare: true } }, { reachable: () => false });
    expect(r.error?.message).toContain("no 'cat' or 'sh' to read /proc/net/tcp");
    expect(r.error?.message).toContain('give the service a healthcheck, or a wait-for line');
  });

  it('without cat or sh, judges a published port on the engine’s host, which the proxy cannot fake', async () => {
    const open: Record<string, number[]> = {};
    // Until the server listens, the engine's proxy accepts and drops; then the connection holds.
    setTimeout(() => (open['10.201.0.2'] = [32770]), 200);
    const r = await start(
      'services:\n  db: {image: x, expose: ["3306"]}\n',
      { db: { bare: true, published: { 3306: 32770 } } },
      { reachable: () => false, publishedHost: '10.201.0.2', open },
    );
    expect(r.error).toBeUndefined();
    expect(r.ms).toBeGreaterThanOrEqual(200);
    expect(r.lines.join('\n')).toMatch(/db\s+listening.*\(port 3306, through the published port 10\.201\.0\.2:32770\)/);
  });

  it('sends an HTTP probe it cannot send to the container to the published port', async () => {
    const r = await start(
      'services:\n  web: {image: x}\n',
      { web: { published: { 8080: 32771 } } },
      { reachable: () => false, publishedHost: '10.201.0.2', open: { '10.201.0.2': [32771] }, waitFor: ['web: http://:8080/'] },
    );
    expect(r.error).toBeUndefined();
    expect(r.lines.join('\n')).toMatch(/web\s+responding.*\(through the published port 10\.201\.0\.2:32771\)/);
  });

  it('refuses an HTTP probe at an address it cannot reach', async () => {
    const r = await start('services:\n  web: {image: x}\n', { web: {} }, { reachable: () => false, waitFor: ['web: http://:8080/'] });
    expect(r.error?.message).toContain('is not on a network of this machine');
  });
});

describe('timeouts, cancels and failures', () => {
  it("fails a service past its own timeout, counted from its start, long before the step's", async () => {
    const r = await start('services:\n  db: {image: x}\n', { db: {} }, { waitFor: ['db: tcp:5432 timeout=30'], timeoutMs: 600_000 });
    expect(r.error?.message).toMatch(
      /^Service 'db' was not ready within its own timeout of 30 s\. Not ready: db \(waiting for port 5432 to accept connections; last: ECONNREFUSED at 10\.0\.0\.2:5432\)\./,
    );
    expect(r.outcomes).toBeUndefined();
    expect(r.ms).toBeGreaterThanOrEqual(30_000);
    expect(r.ms).toBeLessThan(31_000);
  });

  it("times out at the step's timeout, naming what never started and what it needed", async () => {
    const r = await start('services:\n  db: {image: x}\n  web: {image: x, depends_on: [db]}\n', { db: {}, web: {} }, { waitFor: ['db: tcp:5432'], timeoutMs: 300_000 });
    expect(r.error?.message).toContain('Timed out after 300 s.');
    expect(r.error?.message).toContain('Not started: web (needs db).');
    expect(r.error?.outcomes.web.status).toBe('not-started');
    expect(r.error?.outcomes.db.status).toBe('timed-out');
  });

  it('stops at once when the step is cancelled', async () => {
    const cancel = new AbortController();
    setTimeout(() => cancel.abort(), 5_000);
    const r = await start('services:\n  db: {image: x}\n', { db: {} }, { waitFor: ['db: tcp:5432'], signal: cancel.signal, timeoutMs: 300_000 });
    expect(r.error?.message).toBe('The step was cancelled while the stack was starting.');
    expect(r.ms).toBeLessThan(5_100);
  });

  it('passes a log probe on the first matching line', async () => {
    const r = await start(
      'services:\n  mq: {image: x}\n',
      {
        mq: {
          logs: [
            { afterMs: 500, line: 'booting' },
            { afterMs: 2_000, line: 'Server startup complete' },
          ],
        },
      },
      { waitFor: ['mq: log:/startup complete/'] },
    );
    expect(r.error).toBeUndefined();
    expect(r.outcomes?.mq.how).toBe('log matched');
    expect(r.outcomes?.mq.readyMs).toBe(2_000);
  });

  it('fails a log probe whose container stops first', async () => {
    const r = await start('services:\n  mq: {image: x}\n', { mq: { exitAfterMs: 1_000, exitCode: 0, logs: [{ afterMs: 10, line: 'bye' }] } }, { waitFor: ['mq: log:/ready/'] });
    expect(r.error?.message).toContain('stopped before a log line matched /ready/');
  });

  it('fails when the engine goes away mid-wait', async () => {
    const r = await start('services:\n  db: {image: x}\n', { db: {} }, { waitFor: ['db: tcp:5432'], during: (engine) => setTimeout(() => engine.loseEvents(), 1_000) });
    expect(r.error?.message).toContain('Lost the Docker engine while the stack was starting');
  });

  it('fails fast: a crash stops the wait for everything else', async () => {
    const r = await start(
      'services:\n  db: {image: x}\n  cache: {image: x}\n  web: {image: x, depends_on: [db, cache]}\n',
      { db: { exitAfterMs: 700, exitCode: 1 }, cache: {}, web: {} },
      { waitFor: ['db: tcp:5432', 'cache: tcp:6379'], timeoutMs: 300_000 },
    );
    expect(r.error?.message).toContain("Service 'db' failed after 0.7s: container p-db-1 exited with code 1 before it was ready");
    expect(r.error?.message).toContain('Not started because of it: web.');
    expect(r.ms).toBeLessThan(800);
  });
});

describe('a server that daemonizes', () => {
  it('fails a service whose declared port never opened because its main process exited 0, saying why', async () => {
    const yaml = 'services:\n  web: {image: x, expose: ["8080"]}\n';
    const r = await start(yaml, { web: { exitAfterMs: 50, exitCode: 0, procNetTcp: () => '' } });
    expect(r.error?.message).toContain('exited with code 0 before it was ready (waiting for port 8080');
    expect(r.error?.message).toContain('daemonizes');
    expect(r.error?.message).toContain('service_completed_successfully');
  });

  it('lets it finish when a dependent asks for its completion, and when only the image EXPOSEs a port', async () => {
    const asked = 'services:\n  job: {image: x, expose: ["8080"]}\n  web: {image: x, depends_on: {job: {condition: service_completed_successfully}}}\n';
    const r = await start(asked, { job: { exitAfterMs: 50, exitCode: 0, procNetTcp: () => '' }, web: {} }, { waitFor: ['web: running 10ms'] });
    expect(r.error).toBeUndefined();
    expect(r.outcomes?.job.status).toBe('completed');
    const imageOnly = await start('services:\n  migrate: {image: x}\n', { migrate: { exitAfterMs: 50, exitCode: 0, exposed: ['8080/tcp'], procNetTcp: () => '' } });
    expect(imageOnly.error).toBeUndefined();
    expect(imageOnly.outcomes?.migrate.status).toBe('completed');
  });
});
