import { execFileSync } from 'child_process';
import * as path from 'path';
import { removeBedImages, startRegistryBed, RegistryBed } from '../../harness/registry-bed';
import { FIXTURES, leftovers, projectsRemovedAfterEach, runAction } from '../helpers/engine';

// A cold engine: the stack's images come from a real registry (Debian's docker-registry in a
// network namespace, its link held to 6 MB/s) through a proxy that misbehaves on purpose. Images
// are pulled in the order the stack needs them and each service starts once its own image is in;
// registry faults are tried again or named.

const WORKSPACE = path.join(FIXTURES, 'cold');
const project = projectsRemovedAfterEach();
let bed: RegistryBed;

beforeAll(async () => {
  bed = await startRegistryBed({ rateMBps: 6 });
});
afterEach(() => bed.clearFaults());
afterAll(() => {
  removeImages('small-db', 'small-web');
  bed?.stop();
});

/** Takes the images off the engine, as on a fresh runner. */
function removeImages(...names: string[]): void {
  removeBedImages(names);
}

async function up(tag: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}) {
  const name = project(tag);
  const result = await runAction({ workspace: WORKSPACE, env: { EC_COLD_REGISTRY: bed.host, ...env }, inputs: { 'project-name': name, 'stop-timeout': '0', ...inputs } });
  return { name, result, log: result.main.output };
}

describe('a cold engine', () => {
  it('pulls in the order of need and starts the database while the web image still downloads', async () => {
    removeImages('small-db', 'small-web');
    const { name, result, log } = await up('order');
    expect(result.main.outcome).toBe('success');
    const db = bed.image('small-db');
    const web = bed.image('small-web');
    expect(log).toContain(`Images to pull, in the order the stack needs them: ${db}, ${web}`);
    const at = (text: string | RegExp) => log.split('\n').findIndex((l) => (typeof text === 'string' ? l.includes(text) : text.test(l)));
    // db is created, started and ready while web's image is still on its way.
    expect(at(`Pulled ${db} in`)).toBeGreaterThan(-1);
    expect(at(`Pulled ${web} in`)).toBeGreaterThan(-1);
    expect(at(/db: ready|db .*listening/)).toBeGreaterThan(at(`Pulled ${db} in`));
    expect(at(/db: ready|db .*listening/)).toBeLessThan(at(`Pulled ${web} in`));
    // A line every few seconds while the 40 MB come at 6 MB/s.
    expect(log).toMatch(new RegExp(`^  ${web.replace(/[.]/g, '\\.')}: [\\d.]+ MB of (at least )?4[0-2]\\.\\d MB, [\\d.]+ MB/s$`, 'm'));
    // web and worker share the image: pulled once, created together.
    expect(log.match(/Pulling .*small-web/g)).toHaveLength(1);
    expect(log).toContain('Creating web, worker (compose up --no-start)');
    expect(result.main.summary).toMatch(new RegExp(`\\| ${web.replace(/[.]/g, '\\.')} \\| web, worker \\| pulled \\| 4\\d\\.\\d MB \\| [\\d.]+ s \\|`));
    expect(result.post?.exitCode).toBe(0);
    expect(leftovers(name)).toEqual([]);
  });

  it('tries again after the registry answers 503, saying so, and comes up (pulled through compose, for its platform)', async () => {
    removeImages('small-db');
    bed.fault({ kind: 'status', status: 503, count: 3, match: /small-db\/manifests/ });
    const { result, log } = await up('503', { 'compose-file': 'platform.yaml' });
    expect(result.main.outcome).toBe('success');
    expect(log).toContain(`Pulling ${bed.image('small-db')} failed: received unexpected HTTP status: 503 Service Unavailable; trying again in 1 s`);
    expect(log).toMatch(/Pulling .*small-db:1 \(db\), try [23]/);
  });

  it("says a 429 is the registry's rate limit, waits and comes up", async () => {
    removeImages('small-db');
    // The registry is asked for the manifest once before the pulls (its HEAD passes); then the
    // pull's HEAD and its GET after it meet the 429.
    bed.fault({ kind: 'status', status: 429, retryAfter: 1, skip: 1, count: 2, match: /small-db\/manifests\/1$/ });
    const { result, log } = await up('429', { services: 'db' });
    expect(result.main.outcome).toBe('success');
    expect(log).toContain(`Pulling ${bed.image('small-db')} failed: the registry's rate limit (${bed.host}): toomanyrequests: injected by the test; trying again in 1 s`);
  });

  it('fails with what to do when the rate limit outlasts the timeout', async () => {
    removeImages('small-db');
    bed.fault({ kind: 'status', status: 429, count: 1000, match: /small-db\/manifests/ });
    const { name, result } = await up('429-long', { timeout: '4', services: 'db' });
    expect(result.main.outcome).toBe('failure');
    expect(result.main.errors.join('\n')).toMatch(
      new RegExp(
        `^Registry ${bed.host.replace(/[.]/g, '\\.')} is rate-limiting pulls \\(429 Too Many Requests\\) of image '${bed.image('small-db').replace(/[.]/g, '\\.')}' \\(service db\\) after [23] tries within the step's timeout: toomanyrequests: injected by the test\\. Log in before this step`,
      ),
    );
    expect(result.post?.exitCode).toBe(0);
    expect(leftovers(name)).toEqual([]);
  });

  it('pulls a Docker Hub image from the registry-mirror, under its own name, leaving no mirror name behind', async () => {
    removeImages('small-db');
    const name = project('mirror');
    const result = await runAction({ workspace: WORKSPACE, inputs: { 'project-name': name, 'compose-file': 'mirror.yaml', 'registry-mirror': bed.host, 'stop-timeout': '0' } });
    expect(result.main.errors).toEqual([]);
    expect(result.main.outcome).toBe('success');
    expect(result.main.output).toContain(`ec-cold/small-db:1: pulled from the mirror as ${bed.image('small-db')}`);
    expect(bed.requests).toContain('GET /v2/ec-cold/small-db/manifests/1');
    const tags = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).split('\n');
    expect(tags).toContain('ec-cold/small-db:1');
    expect(tags).not.toContain(bed.image('small-db'));
    expect(leftovers(name)).toEqual([]);
  });

  it('fails before anything is created on an image the registry does not have, naming image and registry', async () => {
    const { name, result, log } = await up('missing', { services: 'db' }, { EC_COLD_DB: 'no-such-image' });
    expect(result.main.outcome).toBe('failure');
    const missing = bed.image('no-such-image');
    expect(result.main.errors.join('\n')).toMatch(
      new RegExp(
        `^Registry ${bed.host.replace(/[.]/g, '\\.')} has no image '${missing.replace(/[.]/g, '\\.')}' \\(service db\\): .*manifest unknown.*Check the image's name and tag\\.$`,
      ),
    );
    // Asked of the registry before any pull or creation.
    expect(log).not.toMatch(/Pulling|Creating|starting/);
    expect(bed.requests.filter((r) => r.includes('no-such-image/blobs'))).toEqual([]);
    expect(result.post?.output).toContain(`The main step stopped before creating anything, so project ${name} is not touched.`);
    expect(leftovers(name)).toEqual([]);
  });
});
