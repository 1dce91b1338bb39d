import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { expectFailure, FIXTURES, HarnessResult, leftovers, projectsRemovedAfterEach, removeProject, runAction } from '../helpers/engine';
import { RemoteEngine, startRemoteEngine } from '../helpers/remote-engine';
import { tempDir } from '../helpers/temp-dirs';

// Input `build-cache`: a cold runner's build takes what did not change from the cache an earlier
// job wrote. The engine's own builder exports caches only where it keeps images in containerd, so
// the builds run on an engine of the test's own with that store; the machine's engine (classic
// store, as on GitHub's runners) shows the refusal.

const project = projectsRemovedAfterEach();
let engine: RemoteEngine;

beforeAll(async () => {
  engine = await startRemoteEngine([], { containerdImageStore: true });
}, 120_000);

afterAll(() => engine?.stop());

const ran: string[] = [];
afterEach(() => {
  for (const name of ran.splice(0)) removeProject(name, engine.dockerHost);
});

/** The fixture in a folder of the test's own (its source changes), busybox beside the Dockerfile. */
function workspace(): string {
  const dir = tempDir('ec-build-cache-');
  fs.cpSync(path.join(FIXTURES, 'build-cache'), dir, { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(dir, 'app', 'busybox'));
  return dir;
}

function build(dir: string, name: string, cache: string): Promise<HarnessResult> {
  ran.push(name);
  return runAction({ workspace: dir, env: { DOCKER_HOST: engine.dockerHost }, inputs: { 'project-name': name, 'build-cache': cache, 'stop-timeout': '0' } });
}

/** A file of the service's built image. */
function fileOf(name: string, file: string): string {
  return engine.docker('run', '--rm', `${name}-app`, '/bin/busybox', 'cat', file).trim();
}

/** What a fresh runner's engine has: neither the image nor any build cache. */
function coldEngine(name: string): void {
  removeProject(name, engine.dockerHost);
  engine.docker('image', 'rm', '-f', `${name}-app`);
  engine.docker('builder', 'prune', '-af');
}

function expectSuccess(r: HarnessResult): void {
  expect(r.main.errors).toEqual([]);
  expect(r.main.outcome).toBe('success');
}

describe('build-cache on a cold engine', () => {
  it('local: the rebuild after a change in the last layer takes the costly layer from the folder, which is replaced, not grown', async () => {
    const dir = workspace();
    const name = project('cache-local');
    const first = await build(dir, name, 'local:.cache');
    expectSuccess(first);
    expect(first.main.output).toContain(`Build cache of app saved to folder ${dir}/.cache/<service>`);
    expect(first.main.output).toMatch(/^Built app in [\d.]+ s: 3 steps, 0 from the cache$/m);
    expect(fs.readdirSync(path.join(dir, '.cache')).sort()).toEqual(['app']);
    const builtAt = fileOf(name, '/built-at');

    coldEngine(name);
    fs.writeFileSync(path.join(dir, 'app', 'source'), 'v2\n');
    const second = await build(dir, name, 'local:.cache');
    expectSuccess(second);
    expect(fileOf(name, '/source')).toBe('v2');
    expect(fileOf(name, '/built-at')).toBe(builtAt);
    expect(second.main.output).toMatch(/^Built app in [\d.]+ s: 3 steps, 2 from the cache$/m);
    // Replaced by the new cache (which holds the layers of v2), not added to: v1's last layer is gone.
    const blobs = () => fs.readdirSync(path.join(dir, '.cache', 'app', 'blobs', 'sha256')).length;
    const afterSecond = blobs();
    coldEngine(name);
    fs.writeFileSync(path.join(dir, 'app', 'source'), 'v3\n');
    expectSuccess(await build(dir, name, 'local:.cache'));
    expect(blobs()).toBe(afterSecond);
    expect(fileOf(name, '/built-at')).toBe(builtAt);

    // Without the cache, the same cold engine runs the costly step again.
    coldEngine(name);
    expectSuccess(await build(dir, name, 'none'));
    expect(fileOf(name, '/built-at')).not.toBe(builtAt);
  }, 240_000);

  it("registry: each service's cache is an image of the registry, tagged with its name", async () => {
    const registry = await engine.startRegistry();
    const dir = workspace();
    const name = project('cache-registry');
    expectSuccess(await build(dir, name, `registry:${registry}/cache/${name}:ci`));
    const builtAt = fileOf(name, '/built-at');
    const tags = execFileSync('nsenter', [`--net=${engine.netns}`, 'busybox', 'wget', '-qO-', `http://127.0.0.1:5000/v2/cache/${name}/tags/list`], {
      encoding: 'utf8',
    });
    expect(JSON.parse(tags)).toEqual({ name: `cache/${name}`, tags: ['ci-app'] });

    coldEngine(name);
    fs.writeFileSync(path.join(dir, 'app', 'source'), 'v2\n');
    expectSuccess(await build(dir, name, `registry:${registry}/cache/${name}:ci`));
    expect(fileOf(name, '/source')).toBe('v2');
    expect(fileOf(name, '/built-at')).toBe(builtAt);
  }, 240_000);
});

describe("build-cache: gha, against a stand-in for the runner's cache service", () => {
  // A token shaped as the runner's (buildx reads its scopes and expiry; nothing checks the signature).
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: 3 }]), exp: now + 3600, iat: now, nbf: now })}.c2ln`;
  let service: ChildProcess | undefined;
  afterEach(() => {
    if (service?.pid) execFileSync('kill', [String(service.pid)]);
  });

  it("reaches the service with the runner's address and token from the action's environment, a scope per service, and the rebuild takes its layer from there", async () => {
    const log = path.join(tempDir('ec-gha-'), 'requests.jsonl');
    fs.writeFileSync(log, '');
    service = spawn('nsenter', [`--net=${engine.netns}`, process.execPath, path.join(__dirname, '..', '..', 'harness', 'gha-cache-fake.js'), '127.0.0.1', '8899', log], {
      stdio: 'inherit',
    });
    for (let i = 0; i < 50 && !engine.listens(8899); i++) await new Promise((r) => setTimeout(r, 100));
    const dir = workspace();
    const name = project('cache-gha');
    const runnerTemp = tempDir('ec-gha-temp-');
    const run = () => {
      ran.push(name);
      return runAction({
        workspace: dir,
        env: { DOCKER_HOST: engine.dockerHost, ACTIONS_RUNTIME_TOKEN: token, ACTIONS_CACHE_URL: 'http://127.0.0.1:8899/', RUNNER_TEMP: runnerTemp },
        inputs: { 'project-name': name, 'build-cache': 'gha:ci', 'stop-timeout': '0' },
      });
    };
    expectSuccess(await run());
    const builtAt = fileOf(name, '/built-at');
    coldEngine(name);
    fs.writeFileSync(path.join(dir, 'app', 'source'), 'v2\n');
    expectSuccess(await run());
    expect(fileOf(name, '/source')).toBe('v2');
    expect(fileOf(name, '/built-at')).toBe(builtAt);

    const requests = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { method: string; url: string; authorization: string });
    const api = requests.filter((r) => r.url.startsWith('/_apis/'));
    expect(api.length).toBeGreaterThan(0);
    for (const r of api) expect(r.authorization).toBe(`Bearer ${token}`);
    // The service's scope names its cache index; uploads were reserved, sent and committed.
    expect(api.some((r) => r.method === 'GET' && /keys=index-ci-app-/.test(r.url))).toBe(true);
    expect(api.some((r) => r.method === 'PATCH')).toBe(true);
    // The token stays in the environment: no file the action wrote holds it.
    const files = fs.readdirSync(runnerTemp, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(fs.readFileSync(path.join(f.parentPath, f.name), 'utf8')).not.toContain(token);
  }, 240_000);
});

describe('build-cache where the builder cannot export one', () => {
  it("fails before anything is created, naming the builder and what to do (the machine's engine: classic image store)", async () => {
    const dir = workspace();
    const name = project('cache-refused');
    const result = await runAction({ workspace: dir, inputs: { 'project-name': name, 'build-cache': 'local:.cache' } });
    expectFailure(result, [
      "Input 'build-cache' (folder ",
      "the builder compose would build service app with ('default', buildx's docker driver) cannot export a cache on an engine that keeps images in its classic store",
      'Add docker/setup-buildx-action before this step',
    ]);
    expect(result.post?.output).toContain(`The main step stopped before creating anything, so project ${name} is not touched.`);
    expect(leftovers(name)).toEqual([]);
    expect(fs.existsSync(path.join(dir, '.cache'))).toBe(false);
  }, 60_000);
});
