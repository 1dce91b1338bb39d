import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildCacheRefusal, canExportCache, keepNewLocalCaches, prepareLocalCache } from '../../../src/lifecycle/build-cache';

const classic = { name: 'default', driver: 'docker', containerdImageStore: false };
const containerd = { ...classic, containerdImageStore: true };
const container = { name: 'builder-1', driver: 'docker-container', containerdImageStore: false };
const local = { kind: 'local' as const, dir: '/c' };
const runnerEnv = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results.example/' };

describe('buildCacheRefusal', () => {
  it("lets every builder export but the engine's own on its classic image store", () => {
    expect(canExportCache(classic)).toBe(false);
    expect(canExportCache(containerd)).toBe(true);
    expect(canExportCache(container)).toBe(true);
    expect(buildCacheRefusal(local, ['app'], containerd, {})).toBeUndefined();
    expect(buildCacheRefusal(local, ['app'], container, {})).toBeUndefined();
  });

  it('says which builder cannot, for which services, and what to do', () => {
    expect(buildCacheRefusal(local, ['app', 'worker'], classic, {})).toBe(
      "Input 'build-cache' (folder /c/<service>): the builder compose would build services app, worker with ('default', buildx's docker driver) cannot export a cache on an engine that keeps images in its classic store. " +
        "Add docker/setup-buildx-action before this step (its docker-container builder becomes the one compose uses), or turn on the engine's containerd image store; or set build-cache: none.",
    );
    expect(buildCacheRefusal(local, ['app'], undefined, {})).toMatch(/needs the Docker CLI's buildx plugin to build service app/);
  });

  it('asks nothing of a stack that builds nothing', () => {
    expect(buildCacheRefusal(local, [], classic, {})).toBeUndefined();
  });

  it("needs the runner's cache service for gha", () => {
    const gha = { kind: 'gha' as const, scope: '' };
    expect(buildCacheRefusal(gha, ['app'], container, runnerEnv)).toBeUndefined();
    expect(buildCacheRefusal(gha, ['app'], container, { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_CACHE_URL: 'https://cache.example/' })).toBeUndefined();
    expect(buildCacheRefusal(gha, ['app'], container, { ACTIONS_RESULTS_URL: 'https://results.example/' })).toMatch(/this step's environment lacks them/);
  });
});

describe('local cache folders', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };

  it('removes a half-written new cache before building, and makes the folder', () => {
    const cache = { kind: 'local' as const, dir: path.join(dir, 'sub') };
    fs.mkdirSync(path.join(cache.dir, 'app.next'), { recursive: true });
    prepareLocalCache(cache, ['app', 'web']);
    expect(fs.readdirSync(cache.dir)).toEqual([]);
  });

  it('puts a complete new cache in place of the old one, and leaves an incomplete one alone', () => {
    write('app/index.json', 'old');
    write('app/blobs/sha256/stale', 'x');
    write('app.next/index.json', 'new');
    write('web/index.json', 'web old');
    write('web.next/blobs/partial', 'x');
    expect(keepNewLocalCaches({ kind: 'local', dir }, ['app', 'web', 'db'])).toEqual(['app']);
    expect(fs.readFileSync(path.join(dir, 'app/index.json'), 'utf8')).toBe('new');
    expect(fs.existsSync(path.join(dir, 'app/blobs/sha256/stale'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'app.next'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'web/index.json'), 'utf8')).toBe('web old');
  });
});
