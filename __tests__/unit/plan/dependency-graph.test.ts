import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { findCycle, planStart } from '../../../src/plan/dependency-graph';

const model = (yaml: string) => parseResolvedConfig(yaml);

// The founding example: db, Airflow webserver and scheduler on it, and an app on it.
const FOUNDING = model(`
services:
  db: {image: mysql}
  webserver: {image: airflow, depends_on: [db]}
  scheduler: {image: airflow, depends_on: [db]}
  myapp: {build: ./myapp, depends_on: [db]}
`);

describe('planStart', () => {
  it('puts the database first and its dependents together', () => {
    const plan = planStart(FOUNDING, Object.keys(FOUNDING.services));
    expect(plan.levels).toEqual([['db'], ['myapp', 'scheduler', 'webserver']]);
    expect(plan.needs.webserver).toEqual(['db']);
    expect(plan.services).toEqual(['db', 'myapp', 'scheduler', 'webserver']);
  });

  it('brings the dependencies of a subset along, and nothing else', () => {
    const m = model(`
services:
  db: {image: x}
  cache: {image: x}
  api: {image: x, links: ["db:database"], volumes_from: ["service:cache:ro"]}
  side: {image: x, network_mode: "service:api"}
  other: {image: x}
`);
    const plan = planStart(m, ['side']);
    expect(plan.levels).toEqual([['cache', 'db'], ['api'], ['side']]);
  });

  it('skips optional dependencies that do not run', () => {
    const m = model(`
services:
  a: {image: x, depends_on: {b: {condition: service_started, required: false}}}
  b: {image: x}
`);
    expect(planStart(m, ['a']).services).toEqual(['a']);
    expect(planStart(m, ['a', 'b']).levels).toEqual([['b'], ['a']]);
  });

  it('names unknown services and self references', () => {
    expect(() => planStart(model('services: {a: {image: x, depends_on: [nope]}}'), ['a'])).toThrow("service 'a' refers to unknown service 'nope' (depends_on)");
    expect(() => planStart(model('services: {a: {image: x, links: [a]}}'), ['a'])).toThrow("service 'a' depends on itself (links)");
    expect(() => planStart(FOUNDING, ['dbx'])).toThrow("Unknown service 'dbx' in 'services'; the compose configuration defines: db, myapp, scheduler, webserver.");
  });

  it('names the services of a cycle', () => {
    const m = model(`
services:
  a: {image: x, depends_on: [b]}
  b: {image: x, depends_on: [c]}
  c: {image: x, volumes_from: [a]}
  d: {image: x}
`);
    expect(findCycle(m)).toEqual(['a', 'b', 'c', 'a']);
    expect(() => planStart(m, ['d'])).toThrow('Dependency cycle: a -> b -> c -> a.');
  });

  it('plans a 100-service stack quickly', () => {
    const services: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) services[`s${i}`] = { image: 'x', depends_on: i === 0 ? [] : [`s${Math.floor(i / 2)}`] };
    const big = parseResolvedConfig(JSON.stringify({ services }));
    const t = process.hrtime.bigint();
    const plan = planStart(big, Object.keys(services));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    expect(plan.levels.length).toBe(8);
    expect(plan.services).toHaveLength(100);
    expect(ms).toBeLessThan(100);
  });
});
