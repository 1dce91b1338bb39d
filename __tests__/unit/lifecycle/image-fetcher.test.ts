import { ImageFetcher, Puller } from '../../../src/lifecycle/image-fetcher';
import { ComposeModel, parseResolvedConfig } from '../../../src/compose/compose-model';
import { builderOf, creationOrder, imageNeeds, mirrorReference, registryOf } from '../../../src/plan/image-needs';
import { planStart } from '../../../src/plan/dependency-graph';

// The pulls of a cold engine, one download at a time in the order of need, over a fake puller: each
// pull is a promise the test settles, its lines what compose would print.

interface FakePull {
  service: string;
  line: (l: string) => void;
  finish: () => void;
  fail: (message: string) => void;
  signal: AbortSignal;
}

function fakePuller(): { pull: Puller; pulls: FakePull[] } {
  const pulls: FakePull[] = [];
  const pull: Puller = (need, progress, signal) =>
    new Promise<void>((resolve, reject) => {
      pulls.push({ service: need.services[0], line: (l) => progress.take(l), finish: resolve, fail: (m) => reject(new Error(m)), signal });
      signal.addEventListener('abort', () => reject(new Error(`'docker-compose pull' was cancelled`)));
    });
  return { pull, pulls };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('the image fetcher', () => {
  const needs = [
    { image: 'db', services: ['db'] },
    { image: 'web', services: ['web', 'worker'] },
  ];

  it("starts the next download once this one's bytes are in, while the engine unpacks them", async () => {
    const { pull, pulls } = fakePuller();
    const lines: string[] = [];
    const f = new ImageFetcher(needs, pull, { deadline: Date.now() + 60_000, signal: new AbortController().signal, log: (l) => lines.push(l) });
    await flush();
    expect(pulls.map((p) => p.service)).toEqual(['db']);
    pulls[0].line(' 0cbe5ad8bb9e Pulling fs layer ');
    pulls[0].line(' 0cbe5ad8bb9e Downloading [=>  ]  1MB/10MB');
    await flush();
    expect(pulls).toHaveLength(1);
    pulls[0].line(' 0cbe5ad8bb9e Download complete ');
    await flush();
    // web's pull (as its first service's) begins; db is not there yet.
    expect(pulls.map((p) => p.service)).toEqual(['db', 'web']);
    let dbIn = false;
    void f.arrived('db').then(() => (dbIn = true));
    await flush();
    expect(dbIn).toBe(false);
    pulls[0].finish();
    await flush();
    expect(dbIn).toBe(true);
    expect(lines).toEqual(['Pulling db (db)', 'Pulling web (web, worker)', expect.stringMatching(/^Pulled db in [\d.]+ s: 10\.0 MB/)]);
    pulls[1].finish();
    await f.arrived('web');
    expect(f.records.map((r) => [r.image, r.how])).toEqual([
      ['db', 'pulled'],
      ['web', 'cached'],
    ]);
    // An image it does not fetch is there already.
    await expect(f.arrived('redis')).resolves.toBeUndefined();
  });

  it('ends a pull that prints nothing for the stall time and tries it again', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const { pull, pulls } = fakePuller();
      const lines: string[] = [];
      const f = new ImageFetcher([needs[0]], pull, { deadline: Date.now() + 600_000, signal: new AbortController().signal, log: (l) => lines.push(l), stallMs: 30_000 });
      await flush();
      await jest.advanceTimersByTimeAsync(30_000);
      expect(pulls[0].signal.aborted).toBe(true);
      expect(lines).toContain('Pulling db failed: no progress for 30 s (the registry stopped sending); trying again in 1 s');
      await jest.advanceTimersByTimeAsync(1000);
      expect(pulls).toHaveLength(2);
      pulls[1].finish();
      await expect(f.arrived('db')).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops: the pull under way is ended and the rest never begin', async () => {
    const { pull, pulls } = fakePuller();
    const f = new ImageFetcher(needs, pull, { deadline: Date.now() + 60_000, signal: new AbortController().signal, log: () => undefined });
    await flush();
    f.stop();
    await expect(f.arrived('db')).rejects.toThrow('Pulling db (db) was cancelled.');
    await expect(f.arrived('web')).rejects.toThrow('Pulling web (web, worker) was cancelled.');
    expect(pulls).toHaveLength(1);
  });
});

describe('image needs', () => {
  const model: ComposeModel = parseResolvedConfig(`
services:
  db: {image: "mysql:8"}
  cache: {image: "redis", deploy: {replicas: 0}}
  app: {build: {context: .}, image: "shop-app", depends_on: [db]}
  web: {image: "ghcr.io/acme/web:2", depends_on: [app]}
  worker: {image: "ghcr.io/acme/web:2", depends_on: [db]}
  tests: {image: "localhost:5000/tests", depends_on: [web]}
`);
  const plan = planStart(model, ['db', 'cache', 'app', 'web', 'worker']);

  it('lists the missing images in start order, once each, without built or scaled-to-0 services, the run service last', () => {
    const order = creationOrder(plan, 'tests');
    expect(order.at(-1)).toBe('tests');
    expect(imageNeeds(model, order, 'missing', (i) => i === 'redis')).toEqual([
      { image: 'mysql:8', services: ['db'] },
      { image: 'ghcr.io/acme/web:2', services: ['worker', 'web'] },
      { image: 'localhost:5000/tests', services: ['tests'] },
    ]);
    expect(imageNeeds(model, order, 'missing', () => true)).toEqual([]);
    expect(imageNeeds(model, order, 'always', () => true).map((n) => n.image)).toEqual(['mysql:8', 'ghcr.io/acme/web:2', 'localhost:5000/tests']);
    expect(imageNeeds(model, order, 'never', () => false)).toEqual([]);
  });

  it('fetches no image that a service of the project builds: compose builds it (isServiceImageToBuild)', () => {
    const built = parseResolvedConfig(`
services:
  checked: {build: {context: .}, image: "acme/tool:1"}
  engine: {image: "acme/tool:1"}
  db: {image: "mysql:8"}
`);
    expect(builderOf(built, 'engine')).toBe('checked');
    expect(builderOf(built, 'checked')).toBeUndefined();
    expect(builderOf(built, 'db')).toBeUndefined();
    expect(imageNeeds(built, ['engine', 'checked', 'db'], 'missing', () => false)).toEqual([{ image: 'mysql:8', services: ['db'] }]);
    expect(imageNeeds(built, ['engine', 'checked', 'db'], 'always', () => true).map((n) => n.image)).toEqual(['mysql:8']);
  });

  it("names a Docker Hub image's place on a mirror, and none for other registries or digests", () => {
    expect(mirrorReference('mysql:8', 'mirror.gcr.io')).toBe('mirror.gcr.io/library/mysql:8');
    expect(mirrorReference('docker.io/bitnami/redis', 'https://m.example:5000/hub/')).toBe('m.example:5000/hub/bitnami/redis');
    expect(mirrorReference('index.docker.io/library/mysql', 'm')).toBe('m/library/mysql');
    expect(mirrorReference('ghcr.io/acme/web:2', 'm')).toBeUndefined();
    expect(mirrorReference(`mysql@sha256:${'a'.repeat(64)}`, 'm')).toBeUndefined();
  });

  it('names the registry an image comes from', () => {
    expect(['mysql:8', 'bitnami/redis', 'ghcr.io/acme/web:2', 'localhost/x', '127.0.0.1:5000/x:1'].map(registryOf)).toEqual([
      'docker.io',
      'docker.io',
      'ghcr.io',
      'localhost',
      '127.0.0.1:5000',
    ]);
  });
});
