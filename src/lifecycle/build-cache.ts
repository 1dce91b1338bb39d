import * as fs from 'fs';
import { BuildCache, describeBuildCache, localCacheDir, nextLocalCacheDir } from '../compose/build-cache';
import { BuilderFacts, EngineCalls } from '../engine/engine-calls';
import { ComposeModel } from '../compose/compose-model';

// Builds that read and write a cache (input `build-cache`): whether the builder compose uses can,
// checked before anything is created, and the local folders it reads and writes.

/** Can export a cache: every buildx driver but the engine's own on its classic image store. */
export function canExportCache(builder: BuilderFacts): boolean {
  return builder.driver !== 'docker' || builder.containerdImageStore;
}

/**
 * Why builds of `services` cannot use the cache, or undefined when they can. Compose would fail
 * the first build with buildx's own words, after other services had started.
 */
export function buildCacheRefusal(cache: BuildCache, services: string[], builder: BuilderFacts | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (services.length === 0) return undefined;
  const which = `Input 'build-cache' (${describeBuildCache(cache)})`;
  const builds = `${services.length > 1 ? 'services' : 'service'} ${services.join(', ')}`;
  if (!builder)
    return `${which} needs the Docker CLI's buildx plugin to build ${builds}, and this CLI has none: install it (Debian's docker-buildx, or docker/setup-buildx-action).`;
  if (!canExportCache(builder)) {
    return (
      `${which}: the builder compose would build ${builds} with ('${builder.name}', buildx's docker driver) cannot export a cache on an engine that keeps images in its classic store. ` +
      `Add docker/setup-buildx-action before this step (its docker-container builder becomes the one compose uses), or turn on the engine's containerd image store; or set build-cache: none.`
    );
  }
  if (cache.kind === 'gha' && !(env.ACTIONS_RUNTIME_TOKEN && (env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL))) {
    return `${which} needs the runner's cache service, whose address and token (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL) the runner gives JavaScript actions; this step's environment lacks them (not run by a GitHub Actions runner?).`;
  }
  return undefined;
}

/** The services compose builds (when their image is missing, or with `build: true`). */
export function buildingServices(model: ComposeModel): string[] {
  return Object.values(model.services)
    .filter((s) => s.hasBuild)
    .map((s) => s.name);
}

/** Fails before anything is created where the builds could not use the cache; readies its folders. */
export async function checkBuildCache(docker: Pick<EngineCalls, 'builder'>, cache: BuildCache, services: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (services.length === 0) return;
  const refusal = buildCacheRefusal(cache, services, await docker.builder(), env);
  if (refusal) throw new Error(refusal);
  prepareLocalCache(cache, services);
}

/** Before building: a half-written new cache of an earlier job is removed, the folder made. */
export function prepareLocalCache(cache: BuildCache, services: string[]): void {
  if (cache.kind !== 'local') return;
  fs.mkdirSync(cache.dir, { recursive: true });
  for (const s of services) fs.rmSync(nextLocalCacheDir(cache.dir, s), { recursive: true, force: true });
}

/**
 * After the builds: each complete new cache (buildx writes its index last) replaces the one it was
 * built from. The services whose cache was replaced.
 */
export function keepNewLocalCaches(cache: BuildCache, services: string[]): string[] {
  if (cache.kind !== 'local') return [];
  const kept: string[] = [];
  for (const s of services) {
    const next = nextLocalCacheDir(cache.dir, s);
    if (!fs.existsSync(`${next}/index.json`)) continue;
    const current = localCacheDir(cache.dir, s);
    fs.rmSync(current, { recursive: true, force: true });
    fs.renameSync(next, current);
    kept.push(s);
  }
  return kept;
}
