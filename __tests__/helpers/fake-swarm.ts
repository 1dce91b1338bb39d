import * as fs from 'fs';
import { parse } from 'yaml';
import { SwarmCalls, SwarmConfig, SwarmService, SwarmTask } from '../../src/engine/swarm';

// A swarm for unit tests: each deploy's file is recorded (the services it names), the stack's
// services are those deployed (their task spec is their section of the file, so a changed file
// changes it), tasks appear as the test's script says, configs are kept by name. The real swarm:
// __tests__/e2e/swarm.test.ts.

export type Script = (deployed: string[], polls: number) => Partial<SwarmTask>[];

export interface FakeSwarmState {
  /** Services already on the swarm before the test's first deploy (a redeploy). */
  services?: SwarmService[];
}

export function fakeSwarm(script: Script, initial: FakeSwarmState = {}) {
  const files: string[][] = [];
  const documents: Record<string, unknown>[] = [];
  const services = new Map<string, SwarmService>((initial.services ?? []).map((s) => [s.name, s]));
  const configs = new Map<string, SwarmConfig>();
  const removedServices: string[] = [];
  let polls = 0;
  let nextConfig = 1;
  const swarm: SwarmCalls = {
    role: () => Promise.resolve({ state: 'active', manager: true }),
    check: () => Promise.resolve(undefined),
    deploy: (stack, file) => {
      const doc = parse(fs.readFileSync(file, 'utf8')) as { services: Record<string, { deploy?: { labels?: Record<string, string>; mode?: string } }> };
      documents.push(doc);
      files.push(Object.keys(doc.services));
      for (const [name, svc] of Object.entries(doc.services)) {
        const { labels, ...deploy } = svc.deploy ?? {};
        services.set(`${stack}_${name}`, {
          name: `${stack}_${name}`,
          labels: labels ?? {},
          taskSpec: JSON.stringify({ ...svc, deploy }),
          job: deploy.mode === 'replicated-job',
        });
      }
      return Promise.resolve();
    },
    tasks: (stack) => {
      polls++;
      const deployed = files.flat();
      // Only services on the swarm have tasks (one deployed, or there before the test).
      return Promise.resolve(
        script(deployed, polls)
          .filter((t) => services.has(`${stack}_${t.service}`))
          .map((t, i) => ({
            id: `t${i}`,
            name: `${stack}_${t.service}.1`,
            node: 'node1',
            desired: 'Running',
            state: 'Running',
            error: '',
            ...t,
            service: `${stack}_${t.service}`,
          })),
      );
    },
    ports: (names) => Promise.resolve(Object.fromEntries(names.map((s) => [s, s.endsWith('_db') ? [{ target: 3306, published: 30001, protocol: 'tcp', mode: 'ingress' }] : []]))),
    nodeAddress: () => Promise.resolve('10.0.0.2'),
    serviceLogs: (service) => Promise.resolve(`last line of ${service}`),
    remove: (stack) => {
      for (const name of [...services.keys()]) if (name.startsWith(`${stack}_`)) services.delete(name);
      for (const [name, c] of [...configs]) if (c.labels['com.docker.stack.namespace'] === stack) configs.delete(name);
      return Promise.resolve();
    },
    remaining: (stack) => {
      const own = [...services.keys()].filter((n) => n.startsWith(`${stack}_`));
      const records = [...configs.values()].filter((c) => c.labels['com.docker.stack.namespace'] === stack);
      // The stack's default network lives as long as a service of it does.
      return Promise.resolve([...own.map((n) => `service ${n}`), ...records.map((c) => `config ${c.name}`), ...(own.length > 0 ? [`network ${stack}_default`] : [])]);
    },
    services: (stack) => Promise.resolve([...services.values()].filter((s) => s.name.startsWith(`${stack}_`))),
    removeServices: (names) => {
      for (const n of names) services.delete(n);
      removedServices.push(...names);
      return Promise.resolve();
    },
    createConfig: (name, labels) => {
      if (configs.has(name)) return Promise.resolve(false);
      configs.set(name, { id: `c${nextConfig++}`, name, labels });
      return Promise.resolve(true);
    },
    configs: (label) => {
      const [key, value] = label.split('=');
      return Promise.resolve([...configs.values()].filter((c) => key in c.labels && (value === undefined || c.labels[key] === value)));
    },
    config: (name) => Promise.resolve(configs.get(name)),
    removeConfig: (idOrName) => {
      for (const [name, c] of [...configs]) if (c.id === idOrName || name === idOrName) configs.delete(name);
      return Promise.resolve();
    },
  };
  return { swarm, files, documents, services, configs, removedServices };
}
