import { ContainerFacts } from './container-facts';

// A runner inside a container on the engine it drives (a `container:` job, a runner in Docker):
// which container that is, found from what the kernel and the engine say, never guessed.

/** What this process can read about where it runs. */
export interface OwnSurroundings {
  /** `/.dockerenv` exists. */
  dockerenv: boolean;
  mountinfo: string;
  cgroup: string;
  hostname: string;
}

/**
 * Ids (or id prefixes) this process's container may have, most reliable first: the engine's own
 * files bind-mounted into it (`/var/lib/docker/containers/<id>/hostname`, `hosts`, `resolv.conf`)
 * in mountinfo, a cgroup v1 path, then a hostname that looks like the short id Docker gives by
 * default. Empty when nothing says this is a container.
 */
export function ownContainerCandidates(s: OwnSurroundings): string[] {
  const ids = new Set<string>();
  for (const m of s.mountinfo.matchAll(/\/containers\/([0-9a-f]{64})\/(?:hostname|hosts|resolv\.conf)\b/g)) ids.add(m[1]);
  for (const m of s.cgroup.matchAll(/(?:docker[/-]|\/libpod-)([0-9a-f]{64})/g)) ids.add(m[1]);
  const inContainer = s.dockerenv || ids.size > 0;
  if (inContainer && /^[0-9a-f]{12}$/.test(s.hostname.trim())) ids.add(s.hostname.trim());
  return inContainer ? [...ids] : [];
}

/** The candidate the engine knows, if any: that container is this process's. */
export function pickOwnContainer(candidates: string[], known: ContainerFacts[]): ContainerFacts | undefined {
  for (const c of candidates) {
    const hit = known.find((f) => f.id === c || f.id.startsWith(c));
    if (hit) return hit;
  }
  return undefined;
}
