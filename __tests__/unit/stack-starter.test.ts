import { ContainerFacts, parseInspect } from '../../src/engine/container-facts';
import { parseResolvedConfig } from '../../src/compose/compose-model';
import { planStart } from '../../src/plan/dependency-graph';
import { EngineEvent } from '../../src/engine/engine-events';
import { NetworkProbe } from '../../src/engine/network-probe';
import { declaredTcpPorts, rulesFromConditions } from '../../src/plan/readiness-rules';
import { StackStarter } from '../../src/readiness/stack-starter';
import { ServiceOutcome, StackStartError } from '../../src/readiness/outcomes';
import { StackEngine } from '../../src/readiness/stack-engine';
import { parseWaitFor } from '../../src/plan/wait-for';

// The scheduler driven by a fake engine that emits events as a real one does, in milliseconds.

interface Behaviour {
  /** Exit this long after start, with this code. */
  exitAfterMs?: number;
  exitCode?: number;
  /** Healthy (event) this long after start. */
  healthyAfterMs?: number;
  healthcheck?: string[];
  exposed?: string[];
  restart?: string;
  /** What `cat /proc/net/tcp /proc/net/tcp6` prints in it (else the exec never answers). */
  procNetTcp?: () => string;
  /** The image has neither cat nor sh. */
  bare?: boolean;
  /** Pretend the engine started it this long before the action saw it. */
  startedEarlierMs?: number;
}

class FakeEngine implements StackEngine {
  readonly facts = new Map<string, ContainerFacts>();
  readonly started: string[] = [];
  readonly execSignals: AbortSignal[] = [];
  private emit: (e: EngineEvent) => void = () => undefined;

  constructor(private readonly behaviours: Record<string, Behaviour>) {
    for (const [service, b] of Object.entries(behaviours)) {
      this.facts.set(
        service,
        parseInspect({
          Id: service,
          Name: `/p-${service}-1`,
          State: { Status: 'created' },
          Config: {
            Labels: { 'com.docker.compose.service': service },
            ExposedPorts: Object.fromEntries((b.exposed ?? []).map((p) => [p, {}])),
            Healthcheck: b.healthcheck ? { Test: b.healthcheck } : undefined,
          },
          HostConfig: { NetworkMode: 'p_default', RestartPolicy: { Name: b.restart ?? 'no' } },
          NetworkSettings: { Networks: { p_default: { IPAddress: `10.0.0.${this.facts.size + 2}` } } },
        }),
      );
    }
  }

  private event(id: string, action: string, extra: Partial<EngineEvent> = {}): void {
    this.emit({ id, action, timeMs: Date.now(), ...extra });
  }

  async inspect(ids: string[]): Promise<ContainerFacts[]> {
    return ids.map((id) => ({ ...(this.facts.get(id) as ContainerFacts) }));
  }

  async start(ids: string[]): Promise<void> {
    for (const id of ids) {
      const f = this.facts.get(id) as ContainerFacts;
      const b = this.behaviours[id];
      f.status = 'running';
      f.startedAt = Date.now() - (b.startedEarlierMs ?? 0);
      this.started.push(id);
      this.event(id, 'start', { timeMs: f.startedAt });
      if (b.exitAfterMs !== undefined) {
        setTimeout(() => {
          f.status = 'exited';
          f.exitCode = b.exitCode ?? 0;
          this.event(id, 'die', { exitCode: f.exitCode });
          // The engine's restart policy, with a short backoff.
          if (b.restart === 'always' && this.started.length < 6) setTimeout(() => void this.start([id]), 50);
        }, b.exitAfterMs);
      }
      if (b.healthyAfterMs !== undefined) {
        setTimeout(() => {
          if (f.status !== 'running') return;
          f.health = 'healthy';
          this.event(id, 'health_status', { health: 'healthy' });
        }, b.healthyAfterMs);
      }
    }
  }

  async composeStart(): Promise<void> {
    throw new Error('not used');
  }

  async tailLogs(id: string): Promise<string> {
    return `last words of ${id}`;
  }

  /** The action's own healthcheck run: never answers until it is ended. */
  exec(id: string, command: string[], _timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }> {
    const b = this.behaviours[id];
    if (command.join(' ').includes('/proc/net/tcp')) {
      if (b.bare) return Promise.resolve({ code: 127, output: 'exec: "cat": executable file not found in $PATH' });
      if (b.procNetTcp) return Promise.resolve({ code: 0, output: b.procNetTcp() });
    }
    this.execSignals.push(signal);
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ code: -1, output: 'ended' })));
  }

  followLogs(): never {
    throw new Error('not used');
  }

  watchEvents(onEvent: (e: EngineEvent) => void) {
    this.emit = onEvent;
    return { done: new Promise<number>(() => undefined), stop: () => undefined };
  }
}

/** Ports listed here accept; every other is refused. */
function network(open: Record<string, number[]> = {}): NetworkProbe {
  return {
    tcp: async (host, port) => ((open[host] ?? []).includes(port) ? undefined : `ECONNREFUSED at ${host}:${port}`),
    http: async () => 'not used',
  };
}

async function start(
  composeYaml: string,
  behaviours: Record<string, Behaviour>,
  options: { waitFor?: string[]; open?: Record<string, number[]>; timeoutMs?: number; reachable?: (a: string) => boolean } = {},
) {
  const model = parseResolvedConfig(composeYaml);
  const services = Object.keys(model.services);
  const plan = planStart(model, services);
  const engine = new FakeEngine(behaviours);
  const containers = Object.fromEntries(services.filter((s) => model.services[s].replicas > 0).map((s) => [s, [s]]));
  const lines: string[] = [];
  const starter = new StackStarter(engine, network(options.open), {
    plan,
    containers,
    rules: rulesFromConditions(model, services, parseWaitFor(options.waitFor ?? [])),
    declaredPorts: Object.fromEntries(services.map((s) => [s, declaredTcpPorts(model, s)])),
    scaledToZero: new Set(services.filter((s) => model.services[s].replicas === 0)),
    reachable: options.reachable,
    timeoutMs: options.timeoutMs ?? 5000,
    composeStarted: new Set(),
    logLines: 10,
    signal: new AbortController().signal,
    log: (l) => lines.push(l),
  });
  const t0 = Date.now();
  let outcomes: Record<string, ServiceOutcome> | undefined;
  let error: StackStartError | undefined;
  try {
    outcomes = await starter.run();
  } catch (e) {
    error = e as StackStartError;
  }
  return { outcomes, error, engine, lines, ms: Date.now() - t0 };
}

describe('the running settle window', () => {
  const app = 'services:\n  app: {image: x}\n';

  it('fails a crash inside it, on the die event', async () => {
    const r = await start(app, { app: { exitAfterMs: 150, exitCode: 1 } }, { waitFor: ['app: running 600ms'] });
    expect(r.error?.message).toContain("Service 'app' failed");
    expect(r.error?.message).toContain('exited with code 1 after it was ready');
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
    expect(r.outcomes?.app.status).toBe('completed');
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

  it('refuses an HTTP probe at an address it cannot reach', async () => {
    const r = await start('services:\n  web: {image: x}\n', { web: {} }, { reachable: () => false, waitFor: ['web: http://:8080/'] });
    expect(r.error?.message).toContain('is not on a network of this machine');
  });
});
