import * as path from 'path';

// Where builds of `build:` services keep their layer cache between jobs (input `build-cache`), as
// the buildx cache entries compose hands its builder (`build.cache_from` / `build.cache_to`). Each
// service has a cache of its own, so one service's build never evicts another's.

export type BuildCache =
  /** GitHub's cache service; buildx reads its address and token from the action's environment. */
  | { kind: 'gha'; scope: string }
  /** An image reference in a registry the engine can push to. */
  | { kind: 'registry'; ref: string }
  /** A folder, e.g. one actions/cache saves and restores. */
  | { kind: 'local'; dir: string };

export interface CacheEntries {
  from: string[];
  to: string[];
}

const BUILD_CACHE_FORMS = "'none', 'gha', 'gha:<scope>', 'registry:<image reference>' or 'local:<folder>'";

/** The input's value; a folder stays as written (see inWorkspace). */
export function parseBuildCache(raw: string): BuildCache | undefined {
  const value = raw.trim();
  if (value === '' || value === 'none') return undefined;
  const [kind, ...rest] = value.split(':');
  const arg = rest.join(':').trim();
  if (kind === 'gha' && /^[A-Za-z0-9._-]*$/.test(arg)) return { kind: 'gha', scope: arg };
  if (kind === 'registry' && arg) {
    const { repository, tag } = splitTag(arg);
    if (!/^[a-z0-9][a-z0-9._:/-]*$/.test(repository) || (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(tag))) {
      throw new Error(`Input 'build-cache': '${arg}' is not an image reference a cache can be pushed to (lower-case repository, optional tag, no digest).`);
    }
    return { kind: 'registry', ref: arg };
  }
  if (kind === 'local' && arg) return { kind: 'local', dir: arg };
  throw new Error(`Input 'build-cache' must be ${BUILD_CACHE_FORMS}; got '${value}'.`);
}

/** A relative folder is the workspace's (`base`), as actions/cache takes its paths. */
export function inWorkspace(cache: BuildCache, base: string): BuildCache {
  return cache.kind === 'local' ? { ...cache, dir: path.resolve(base, cache.dir) } : cache;
}

/** The repository and tag of a reference; the tag is undefined when it has none. */
function splitTag(ref: string): { repository: string; tag?: string } {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  // A colon before the last slash is a registry's port, not a tag.
  return colon > slash ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref };
}

/** The cache image of one service: the reference's tag, or none, with the service's name. */
export function registryCacheRef(ref: string, service: string): string {
  const { repository, tag } = splitTag(ref);
  return `${repository}:${tag ? `${tag}-${service}` : service}`;
}

/** The folder a service's cache is read from. */
export function localCacheDir(dir: string, service: string): string {
  return path.join(dir, service);
}

/**
 * The folder its new cache is written to, then put in place of the old one: buildx's local exporter
 * adds to a folder and never removes what the new build no longer uses, so writing over the old
 * cache would grow it (and every save of it) on each change.
 */
export function nextLocalCacheDir(dir: string, service: string): string {
  return path.join(dir, `${service}.next`);
}

/**
 * The entries of one service. `mode=max` exports every stage's layers, not just the final image's,
 * so a multi-stage build finds its builder stage cached too.
 */
export function cacheEntries(cache: BuildCache, service: string): CacheEntries {
  switch (cache.kind) {
    case 'gha': {
      const scope = cache.scope ? `${cache.scope}-${service}` : service;
      return { from: [`type=gha,scope=${scope}`], to: [`type=gha,scope=${scope},mode=max`] };
    }
    case 'registry': {
      const ref = registryCacheRef(cache.ref, service);
      return { from: [`type=registry,ref=${ref}`], to: [`type=registry,ref=${ref},mode=max`] };
    }
    case 'local':
      return {
        from: [`type=local,src=${localCacheDir(cache.dir, service)}`],
        to: [`type=local,dest=${nextLocalCacheDir(cache.dir, service)},mode=max`],
      };
  }
}

/** How the log and the summary name the backend. */
export function describeBuildCache(cache: BuildCache): string {
  switch (cache.kind) {
    case 'gha':
      return `GitHub's cache service${cache.scope ? ` (scope ${cache.scope}-<service>)` : ''}`;
    case 'registry':
      return `registry ${registryCacheRef(cache.ref, '<service>')}`;
    case 'local':
      return `folder ${localCacheDir(cache.dir, '<service>')}`;
  }
}
