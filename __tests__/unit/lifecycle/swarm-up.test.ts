import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { NetworkProbe } from '../../../src/engine/network-probe';
import { fakeSwarm } from '../../helpers/fake-swarm';
import { swarmDown } from '../../../src/lifecycle/swarm-down';
import { swarmChecks, swarmUp, SwarmUpSettings } from '../../../src/lifecycle/swarm-up';
import { planStart } from '../../../src/plan/dependency-graph';
import { parseWaitFor } from '../../../src/plan/wait-for';

// The level-by-level deploy over a fake swarm: each deploy's file is recorded, and tasks appear as
// the test's script says. The real swarm: __tests__/e2e/swarm.test.ts.

const CONFIG = `
name: shop
services:
  db:
    image: busybox
    ports: [{mode: ingress, target: 3306, protocol: tcp}]
  migrate:
    image: busybox
    depends_on: {db: {condition: service_started, required: true}}
  web:
    image: busybox
    depends_on: {migrate: {condition: service_completed_successfully, required: true}}
    healthcheck: {test: [CMD, "true"]}
`;
const model = parseResolvedConfig(CONFIG);
const plan = planStart(model, Object.keys(model.services));

const network = (open: () => boolean): NetworkProbe => ({
  tcp: () => Promise.resolve(open() ? undefined : 'ECONNREFUSED at 10.0.0.1:30001'),
  tcpHeld: () => Promise.resolve(undefined),
  http: () => Promise.resolve(undefined),
});

function settings(overrides: Partial<SwarmUpSettings> = {}): SwarmUpSettings {
  return {
    stack: 'shop',
    model,
    plan,
    configYaml: CONFIG,
    waitFor: {},
    timeoutSeconds: 20,
    host: '10.0.0.1',
    directory: fs.mkdtempSync(path.join(os.tmpdir(), 'ect-swarm-')),
    signal: new AbortController().signal,
    ...overrides,
  };
}

const log = () => {
  const lines: string[] = [];
  return { lines, info: (l: string) => lines.push(l), warning: (l: string) => lines.push(`warning: ${l}`) };
};

describe('swarm deploy', () => {
  it('judges each service by what it has: health, published ports, a job, running', () => {
    const checks = swarmChecks(model, plan, {});
    expect(checks).toEqual({ db: { kind: 'published', ports: [3306] }, migrate: { kind: 'job' }, web: { kind: 'tasks', how: 'healthy' } });
    expect(() => swarmChecks(model, plan, parseWaitFor(['migrate: tcp:5432']))).toThrow(
      'service migrate: port 5432 is not published; on Swarm the action checks a port through its published port',
    );
    expect(() => swarmChecks(model, plan, parseWaitFor(['db: healthy']))).toThrow('service db must be healthy but has no healthcheck');
  });

  it('deploys level by level, each only once the one before is ready, and reports where each runs', async () => {
    let dbListens = false;
    const { swarm, files } = fakeSwarm((deployed, polls) => {
      if (polls > 3) dbListens = true;
      return [
        { service: 'db' },
        ...(deployed.includes('migrate') ? [{ service: 'migrate', desired: 'Complete', state: 'Complete', node: 'node2' }] : []),
        ...(deployed.includes('web') ? [{ service: 'web', node: 'node3' }] : []),
      ];
    });
    const l = log();
    const reports = await swarmUp(
      swarm,
      network(() => dbListens),
      settings(),
      l,
    );
    // Each deploy names only its level: the levels before are left as they are (a job is not run again).
    expect(files).toEqual([['db'], ['migrate'], ['web']]);
    expect(reports.db).toMatchObject({ readiness: 'listening', nodes: ['node1'], url: 'mysql://10.0.0.1:30001' });
    expect(reports.migrate).toMatchObject({ readiness: 'completed', nodes: ['node2'] });
    expect(reports.web).toMatchObject({ readiness: 'healthy', nodes: ['node3'] });
    expect(l.lines.filter((x) => x.startsWith('Level'))).toEqual([
      'Level 0: deploying db (docker stack deploy shop)',
      'Level 1: deploying migrate (docker stack deploy shop)',
      'Level 2: deploying web (docker stack deploy shop)',
    ]);
  });

  it('fails on a failed task of this deploy with its node, error and logs; the next level is never deployed', async () => {
    const { swarm, files } = fakeSwarm((deployed) => [
      { service: 'db' },
      ...(deployed.includes('migrate') ? [{ service: 'migrate', desired: 'Shutdown', state: 'Failed', node: 'node2', error: 'task: non-zero exit (3)' }] : []),
    ]);
    await expect(
      swarmUp(
        swarm,
        network(() => true),
        settings(),
        log(),
      ),
    ).rejects.toThrow('Service migrate failed on Swarm: task shop_migrate.1 on node node2 failed: task: non-zero exit (3).\nIts last log lines:\nlast line of shop_migrate');
    expect(files).toEqual([['db'], ['migrate']]);
  });

  it("asks for a service's published ports only when a check or the report needs them, not at every poll", async () => {
    const config = 'services:\n  app:\n    image: busybox\n';
    const m = parseResolvedConfig(config);
    const { swarm } = fakeSwarm(() => [{ service: 'app' }]);
    const asked: string[][] = [];
    const ports = swarm.ports.bind(swarm);
    swarm.ports = (services) => {
      asked.push(services);
      return ports(services);
    };
    const reports = await swarmUp(
      swarm,
      network(() => true),
      settings({ model: m, plan: planStart(m, ['app']), configYaml: config, waitFor: parseWaitFor(['app: running 1s']) }),
      log(),
    );
    expect(reports.app).toMatchObject({ readiness: 'running', ports: [] });
    // Judged by running over several polls; its ports asked once, for the report.
    expect(asked).toEqual([['shop_app']]);
  });

  it('names what each service waits for at the timeout', async () => {
    const { swarm } = fakeSwarm(() => [{ service: 'db', state: 'Preparing' }]);
    await expect(
      swarmUp(
        swarm,
        network(() => true),
        settings({ timeoutSeconds: 1 }),
        log(),
      ),
    ).rejects.toThrow('Timed out after 1 s waiting for db (0 of 1 task running; tasks: preparing on node1).');
  });

  it('refuses a stack Swarm cannot run before deploying anything', async () => {
    const config = 'services:\n  app: {build: {context: .}}\n';
    const m = parseResolvedConfig(config);
    const { swarm, files } = fakeSwarm(() => []);
    await expect(
      swarmUp(
        swarm,
        network(() => true),
        settings({ model: m, plan: planStart(m, ['app']), configYaml: config }),
        log(),
      ),
    ).rejects.toThrow('The stack cannot go to Swarm as it is: service app has a build: section and no image');
    expect(files).toEqual([]);
  });

  it('redeploys in place: an unchanged service counts on the tasks it has, a changed one and a job only on new ones', async () => {
    let phase = 1;
    const pollsSince = new Map<number, number>();
    const { swarm, files } = fakeSwarm(() => {
      if (phase === 1)
        return [
          { service: 'db', id: 'db1' },
          { service: 'migrate', id: 'm1', desired: 'Complete', state: 'Complete' },
          { service: 'web', id: 'w1' },
        ];
      // The job runs again and the changed web gets a new task, a few polls after each's deploy.
      pollsSince.set(files.length, (pollsSince.get(files.length) ?? 0) + 1);
      const migrated = files.length > 5 || (files.length === 5 && (pollsSince.get(5) ?? 0) > 3);
      const replaced = files.length === 6 && (pollsSince.get(6) ?? 0) > 3;
      return [
        { service: 'db', id: 'db1' },
        { service: 'migrate', id: 'm1', desired: 'Complete', state: 'Complete' },
        ...(migrated ? [{ service: 'migrate', id: 'm2', desired: 'Complete', state: 'Complete', node: 'node2' }] : []),
        { service: 'web', id: 'w1', desired: replaced ? 'Shutdown' : 'Running' },
        ...(replaced ? [{ service: 'web', id: 'w2', node: 'node3' }] : []),
      ];
    });
    await swarmUp(
      swarm,
      network(() => true),
      settings(),
      log(),
    );
    phase = 2;
    const changed = CONFIG.replace('healthcheck: {test: [CMD, "true"]}', 'healthcheck: {test: [CMD, "true"]}\n    environment: {RELEASE: "2"}');
    const m = parseResolvedConfig(changed);
    const l = log();
    const reports = await swarmUp(
      swarm,
      network(() => true),
      settings({ model: m, plan: planStart(m, Object.keys(m.services)), configYaml: changed }),
      l,
    );
    expect(files.slice(3)).toEqual([['db'], ['migrate'], ['web']]);
    expect(l.lines).toContain('  unchanged, keeping their tasks: db');
    expect(l.lines).toContain('  changed, waiting for new tasks: migrate');
    expect(l.lines).toContain('  changed, waiting for new tasks: web');
    // Judged on the new tasks (the job's on node2, web's on node3), not on the old ones still listed when the deploy returned.
    expect(reports.migrate).toMatchObject({ readiness: 'completed', nodes: ['node2'] });
    expect(reports.web).toMatchObject({ readiness: 'healthy', nodes: ['node3'] });
    expect(reports.db).toMatchObject({ readiness: 'listening', nodes: ['node1'] });
  }, 20000);

  it('a redeploy removes the services the files no longer have first; labels and ephemeral ports go into the file', async () => {
    const { swarm, documents, removedServices } = fakeSwarm(() => [{ service: 'db' }, { service: 'migrate', desired: 'Complete', state: 'Complete' }, { service: 'web' }], {
      services: [{ name: 'shop_old', labels: { 'ephemeral-compose.deployed': 'shop' }, taskSpec: '{}', job: false }],
    });
    const l = log();
    await swarmUp(
      swarm,
      network(() => true),
      settings({ removeOrphans: true, labels: { 'ephemeral-compose.deployed': 'shop' }, ephemeralPorts: true }),
      l,
    );
    expect(removedServices).toEqual(['shop_old']);
    expect(l.lines[0]).toBe('Removing old: no longer in the compose files.');
    const db = (documents[0].services as Record<string, { deploy: { labels: Record<string, string> }; ports: unknown[] }>).db;
    expect(db.deploy.labels).toEqual({ 'ephemeral-compose.deployed': 'shop' });
    expect(db.ports).toEqual([{ mode: 'ingress', target: 3306, protocol: 'tcp' }]);
  });

  it('post removes the stack and waits until nothing of it is left', async () => {
    const { swarm } = fakeSwarm(() => [], { services: [{ name: 'shop_db', labels: {}, taskSpec: '{}', job: false }] });
    const l = log();
    expect(await swarmDown(swarm, 'shop', 5000, l)).toBe(true);
    expect(l.lines[0]).toBe('Removing stack shop from the swarm (docker stack rm): 2 object(s)');
    expect(l.lines[1]).toMatch(/^Stack shop removed: its services, networks, configs and secrets are gone/);
  });
});
