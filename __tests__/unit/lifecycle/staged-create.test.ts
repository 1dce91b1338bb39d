import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { ImageFetcher } from '../../../src/lifecycle/image-fetcher';
import { creationNeeds, dependencyNeeds, StagedCreation, withDependencies } from '../../../src/lifecycle/staged-create';

// Creation while images arrive, over a fake fetcher (images arrive when the test says) and a fake
// creator (each call a promise the test settles): who is created when, in which calls.

const flush = () => new Promise((r) => setImmediate(r));

function fakeFetcher(images: string[]) {
  const arrivals = new Map<string, { resolve: () => void; reject: (e: Error) => void; promise: Promise<void> }>();
  for (const i of images) {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    arrivals.set(i, { resolve, reject, promise });
  }
  const fetcher = {
    arrived: (i: string) => arrivals.get(i)?.promise ?? Promise.resolve(),
    describe: (i: string) => (arrivals.has(i) ? 'pulling' : undefined),
  } as unknown as ImageFetcher;
  return { fetcher, arrive: (i: string) => arrivals.get(i)?.resolve(), fail: (i: string, e: Error) => arrivals.get(i)?.reject(e) };
}

function fakeCreator() {
  const calls: { services: string[]; done: () => void; fail: (e: Error) => void }[] = [];
  const create = (services: string[]) =>
    new Promise<Record<string, string[]>>((resolve, reject) =>
      calls.push({ services, done: () => resolve(Object.fromEntries(services.map((s) => [s, [`${s}-id`]]))), fail: reject }),
    );
  return { create, calls };
}

const model = parseResolvedConfig(`
services:
  db: {image: mysql}
  app: {build: {context: .}, depends_on: [db]}
  web: {image: web, depends_on: [db]}
  sidecar: {image: web, network_mode: "service:web"}
  cache: {image: redis}
`);
const ORDER = ['db', 'cache', 'app', 'web', 'sidecar'];
const imageOf = (s: string) => (['db', 'web', 'sidecar'].includes(s) ? model.services[s].image : undefined);
const builds = (s: string) => model.services[s].hasBuild;

describe('staged creation', () => {
  it('runs the first call alone, builds apart, and creates a service once its image is in and what it depends on exists', async () => {
    const { fetcher, arrive } = fakeFetcher(['mysql', 'web']);
    const { create, calls } = fakeCreator();
    const staged = new StagedCreation(ORDER, creationNeeds(model, ORDER), imageOf, builds, fetcher, create);
    staged.start();
    await flush();
    // cache's image is there: the first call, alone.
    expect(calls.map((c) => c.services)).toEqual([['cache']]);
    expect(staged.describe('db')).toBe('its image mysql: pulling');
    calls[0].done();
    arrive('web');
    await flush();
    // app (a build) and web depend on db, whose image is still coming.
    expect(calls.map((c) => c.services)).toEqual([['cache']]);
    expect(staged.describe('web')).toBe('the creation of db');
    arrive('mysql');
    await flush();
    expect(calls.map((c) => c.services)).toEqual([['cache'], ['db']]);
    calls[1].done();
    await flush();
    // web and app's build in calls of their own; sidecar names web's container: it waits for web.
    expect(calls.map((c) => c.services)).toEqual([['cache'], ['db'], ['web'], ['app']]);
    expect(staged.describe('sidecar')).toBe('the creation of web');
    calls[2].done();
    await flush();
    expect(calls.at(-1)?.services).toEqual(['sidecar']);
    await expect(staged.containersOf('web')).resolves.toEqual({ web: ['web-id'] });
    for (const c of calls) c.done();
    await staged.settled;
    await expect(staged.containersOf('db')).resolves.toEqual({ db: ['db-id'] });
  });

  it('names in each call what its services depend on, transitively, once each', () => {
    const needsOf = dependencyNeeds(model, ORDER);
    expect(withDependencies(['sidecar', 'app'], needsOf)).toEqual(['sidecar', 'web', 'db', 'app']);
  });

  it('creates a service whose image another service builds once that one is built, never before', async () => {
    const shared = parseResolvedConfig(`
services:
  engine: {image: "acme/tool:1"}
  checked: {build: {context: .}, image: "acme/tool:1"}
  db: {image: mysql}
`);
    const order = ['engine', 'checked', 'db'];
    const needsOf = creationNeeds(shared, order);
    expect(needsOf('engine')).toEqual(['checked']);
    const { fetcher, arrive } = fakeFetcher(['mysql']);
    const { create, calls } = fakeCreator();
    const staged = new StagedCreation(
      order,
      needsOf,
      (s) => (s === 'db' ? 'mysql' : undefined),
      (s) => shared.services[s].hasBuild,
      fetcher,
      create,
    );
    staged.start();
    await flush();
    // Nothing pulled is ready: the build goes first, alone; engine is not created before it.
    expect(calls.map((c) => c.services)).toEqual([['checked']]);
    expect(staged.describe('engine')).toBe('the creation of checked');
    arrive('mysql');
    calls[0].done();
    await flush();
    expect(calls.map((c) => c.services)).toEqual([['checked'], ['engine', 'db']]);
    // Waited for, not named: named in engine's call, checked would be built again under --build.
    expect(withDependencies(['engine'], dependencyNeeds(shared, order))).toEqual(['engine']);
    for (const c of calls) c.done();
    await staged.settled;
  });

  it('tells every service not yet created why, when a pull fails', async () => {
    const { fetcher, fail } = fakeFetcher(['mysql', 'web']);
    const { create, calls } = fakeCreator();
    const staged = new StagedCreation(ORDER, creationNeeds(model, ORDER), imageOf, builds, fetcher, create);
    staged.start();
    await flush();
    fail('mysql', new Error("Registry docker.io has no image 'mysql'"));
    calls[0].done();
    await flush();
    await expect(staged.containersOf('db')).rejects.toThrow("has no image 'mysql'");
    await expect(staged.containersOf('web')).rejects.toThrow("has no image 'mysql'");
    await expect(staged.containersOf('cache')).resolves.toEqual({ cache: ['cache-id'] });
    // Nothing more is created after the failure.
    expect(calls.map((c) => c.services)).toEqual([['cache']]);
    await staged.settled;
  });
});
