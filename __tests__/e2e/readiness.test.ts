import * as path from 'path';
import { containerIds, containerOf, docker, expectServiceFailed, FIXTURES, sleep, leftovers, projectsRemovedAfterEach, runAction, servicesOutput } from '../helpers/engine';
import { UPTIME_RESOLUTION_MS, uptimeToEpochMs } from '../helpers/kernel-clock';

// Readiness in dependency order on the real engine: the founding example's shape, late ports,
// every way to fail fast, and every wait-for probe.

const project = projectsRemovedAfterEach();

describe('the founding example shape', () => {
  it.each([1, 2, 3])('comes up every time (run %i)', async () => {
    const name = project('founding');
    let dbLog = '';
    const result = await runAction({
      workspace: path.join(FIXTURES, 'founding'),
      inputs: { 'project-name': name },
      between: async () => {
        dbLog = docker('logs', containerOf(name, 'db'));
      },
    });
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    const services = servicesOutput(result);
    expect(services.db).toMatchObject({ state: 'ready', readiness: 'listening' });
    expect(services.webserver).toMatchObject({ state: 'ready', readiness: 'listening' });
    expect(services.scheduler).toMatchObject({ state: 'ready', readiness: 'running' });
    expect(services.myapp).toMatchObject({ state: 'ready', readiness: 'running' });
    // The port opens after the 'port open' line: db must not have been reported ready earlier. The
    // line carries the container's own reading of the clock (the engine's log stamp comes when the
    // daemon reads the line, later on a busy machine, so it is no bound).
    const opened = /^port open ([\d.]+)$/m.exec(dbLog);
    expect(opened).not.toBeNull();
    expect(Date.parse(services.db.readyAt as string)).toBeGreaterThanOrEqual(uptimeToEpochMs(Number((opened as RegExpExecArray)[1])) - UPTIME_RESOLUTION_MS);
    expect(services.db.readySeconds).toBeGreaterThanOrEqual(3);
    // Dependents started only after db was ready, and all together.
    for (const s of ['webserver', 'scheduler', 'myapp']) {
      expect(Date.parse(services[s].readyAt as string)).toBeGreaterThan(Date.parse(services.db.readyAt as string));
    }
    expect(result.main.output).toMatch(/Level 1: starting myapp, scheduler, webserver/);
    expect(result.main.output).toMatch(/db\s+listening\s+\d+\.\ds/);
    expect(leftovers(name)).toEqual([]);
  });
});

describe("the compose file's own conditions", () => {
  it('a one-shot needed with service_completed_successfully is waited on until it exits 0', async () => {
    const name = project('conditions');
    const result = await runAction({ workspace: path.join(FIXTURES, 'conditions'), inputs: { 'project-name': name, 'stop-timeout': '0' } });
    expect(result.main.errors).toEqual([]);
    const services = servicesOutput(result);
    expect(services.init).toMatchObject({ state: 'completed', readiness: 'completed' });
    expect(services.init.readySeconds).toBeGreaterThanOrEqual(2);
    expect(services.web).toMatchObject({ state: 'ready', readiness: 'running' });
    expect(result.main.output).toMatch(/init\s+completed\s+[2-9]\.\ds/);
    expect(leftovers(name)).toEqual([]);
  });
});

describe('failing fast', () => {
  it('an unhealthy service fails the step at once with its health output; dependents are not started', async () => {
    const name = project('unhealthy');
    const result = await runAction({ workspace: path.join(FIXTURES, 'failures'), inputs: { 'project-name': name, services: 'sick-dependent', timeout: '120' } });
    // Still running, so no exit code; the check's own output is in the message.
    expectServiceFailed(result, 'sick', { exitCode: null, notStarted: ['sick-dependent'], logs: ['replica lag too high'] });
    expect(servicesOutput(result).sick.health).toBe('unhealthy');
    expect(result.main.durationMs).toBeLessThan(20000);
    expect(leftovers(name)).toEqual([]);
  });

  it('a crash-looping service fails the step with its logs, not at the timeout', async () => {
    const name = project('crashloop');
    const result = await runAction({ workspace: path.join(FIXTURES, 'failures'), inputs: { 'project-name': name, services: 'crashloop', timeout: '120' } });
    expectServiceFailed(result, 'crashloop', { exitCode: 2, logs: ['panic: config missing'] });
    expect(result.main.durationMs).toBeLessThan(20000);
    expect(leftovers(name)).toEqual([]);
  });

  it('a ready service killed from outside while others wait fails the step, naming it', async () => {
    const name = project('killed');
    const running = runAction({ workspace: path.join(FIXTURES, 'failures'), inputs: { 'project-name': name, services: 'slow-dependent', timeout: '120' } });
    let killed = false;
    for (let i = 0; i < 200 && !killed; i++) {
      await sleep(100);
      const up = containerIds(name, 'slow-dependent', false);
      if (up.length > 0) {
        docker('kill', containerOf(name, 'dies-later'));
        killed = true;
      }
    }
    expect(killed).toBe(true);
    const result = await running;
    expectServiceFailed(result, 'dies-later', { exitCode: 137 });
    expect(servicesOutput(result)['dies-later'].readiness).not.toBeNull();
    expect(leftovers(name)).toEqual([]);
  });
});

describe('wait-for', () => {
  it('honours every probe kind', async () => {
    const name = project('probes');
    const result = await runAction({
      workspace: path.join(FIXTURES, 'probes'),
      inputs: {
        'project-name': name,
        'wait-for': ['web: http://:8080/api/health', 'db: tcp:5432', 'worker: log:/ready to accept/', 'job: exit:3', 'cache: none', 'app: running'].join('\n'),
      },
    });
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    const s = servicesOutput(result);
    expect(s.web).toMatchObject({ state: 'ready', readiness: 'responding' });
    expect(s.db).toMatchObject({ state: 'ready', readiness: 'listening' });
    expect(s.worker).toMatchObject({ state: 'ready', readiness: 'log matched' });
    expect(s.job).toMatchObject({ state: 'completed', readiness: 'completed' });
    expect(s.cache).toMatchObject({ state: 'ready', readiness: 'started' });
    expect(s.app).toMatchObject({ state: 'ready', readiness: 'running' });
    for (const slow of ['web', 'db', 'worker', 'job']) expect(s[slow].readySeconds).toBeGreaterThanOrEqual(1);
    // A healthcheck with a 30 s interval is probed actively: ready in about 2 s, not 30 (the
    // bound leaves room for a loaded machine: the suite runs in parallel workers).
    expect(s.slowcheck).toMatchObject({ state: 'ready', readiness: 'healthy' });
    expect(s.slowcheck.readySeconds).toBeGreaterThanOrEqual(2);
    expect(s.slowcheck.readySeconds).toBeLessThan(10);
    expect(s.after.state).toBe('ready');
    expect(leftovers(name)).toEqual([]);
  });

  it('a probe that never passes times out with a precise message', async () => {
    const name = project('wrongprobe');
    const result = await runAction({
      workspace: path.join(FIXTURES, 'probes'),
      // Room for the container to start and be probed once on a loaded machine (see the next case).
      inputs: { 'project-name': name, services: 'web', 'wait-for': 'web: tcp:9999 timeout=6' },
    });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toMatch(
      /Service 'web' was not ready within its own timeout of 6 s\. Not ready: web \(waiting for port 9999 to accept connections; last: ECONNREFUSED at [\d.]+:9999\)/,
    );
    expect(leftovers(name)).toEqual([]);
  });

  it('an HTTP status other than the one asked for is not ready', async () => {
    const name = project('status');
    const result = await runAction({
      workspace: path.join(FIXTURES, 'probes'),
      // Room for httpd to start listening and answer once on a loaded machine: with 3 s, under three
      // workers in CI, the last answer was still a refused connection.
      inputs: { 'project-name': name, services: 'web', 'wait-for': 'web: http://:8080/missing timeout=8' },
    });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toMatch(/waiting for http:\/\/<container>:8080\/missing to answer 2xx\/3xx; last: http:\/\/[\d.]+:8080\/missing answered 404/);
    expect(leftovers(name)).toEqual([]);
  });

  it('unknown services and bad lines fail before anything is created', async () => {
    const name = project('badwait');
    // teardown: never, so whatever main had created would still be there for the check below.
    const unknown = await runAction({ workspace: path.join(FIXTURES, 'probes'), inputs: { 'project-name': name, 'wait-for': 'nosuch: none', teardown: 'never' } });
    expect(unknown.main.errors.join('\n')).toContain("Input 'wait-for' names service(s) that will not run: nosuch");
    const bad = await runAction({ workspace: path.join(FIXTURES, 'probes'), inputs: { 'project-name': name, 'wait-for': 'web: ping', teardown: 'never' } });
    expect(bad.main.errors.join('\n')).toContain("unknown probe 'ping'");
    expect(leftovers(name)).toEqual([]);
  });
});
