import { Document, isMap, isScalar, isSeq, parseDocument, YAMLMap } from 'yaml';
import { parsePortEntry, PortSpec } from './port-spec';
import { CacheEntries } from './build-cache';

// The file the action hands compose instead of the user's, when it must change the configuration:
// compose's own resolved output (`config`, which compose reads back, `$$` escapes kept), with host
// ports left to the engine, labels added and build caches named. Written as a whole file, not an override: an override
// merges `ports` lists unless it carries `!override` tags, which older readers of it do not know.

export interface Rewrite {
  /** Drop every fixed host port, so the engine picks free ones. */
  ephemeralPorts: boolean;
  /** Added to every service, and to every network and volume compose creates (not external ones). */
  labels: Record<string, string>;
  /** The cache entries a service with `build:` gets besides its own (input `build-cache`). */
  buildCache?: (service: string) => CacheEntries;
}

/** One short-syntax entry per container port, without a host port: valid in every file version. */
export function portWithoutHostPort(spec: PortSpec): string {
  const ip = spec.hostIp ? `${spec.hostIp.includes(':') ? `[${spec.hostIp}]` : spec.hostIp}::` : '';
  return `${ip}${spec.target}/${spec.protocol}`;
}

function setLabels(node: YAMLMap, labels: Record<string, string>, doc: Document): void {
  const current = node.get('labels', true);
  if (isSeq(current)) {
    // The list form ("key=value") is kept as such; an entry of the same key is replaced.
    for (const [k, v] of Object.entries(labels)) {
      current.items = current.items.filter((i) => !(isScalar(i) && String(i.value).split('=')[0] === k));
      current.add(doc.createNode(`${k}=${v}`));
    }
    return;
  }
  const map = isMap(current) ? current : (doc.createNode({}) as YAMLMap);
  for (const [k, v] of Object.entries(labels)) map.set(k, v);
  node.set('labels', map);
}

export function rewriteResolvedConfig(configYaml: string, rewrite: Rewrite): string {
  const doc = parseDocument(configYaml);
  if (doc.errors.length > 0) throw new Error(`could not read the resolved compose configuration: ${doc.errors[0].message}`);
  const services = doc.get('services');
  if (!isMap(services)) throw new Error('the resolved compose configuration has no services');
  const hasLabels = Object.keys(rewrite.labels).length > 0;
  for (const pair of services.items) {
    const svc = pair.value;
    if (!isMap(svc)) continue;
    if (rewrite.ephemeralPorts) {
      const ports = svc.get('ports', true);
      if (isSeq(ports)) {
        const entries = ports.items.flatMap((item) => parsePortEntry((item as { toJSON(): unknown }).toJSON()));
        svc.set('ports', doc.createNode(entries.map(portWithoutHostPort)));
      }
    }
    if (hasLabels) setLabels(svc, rewrite.labels, doc);
    const build = svc.get('build', true);
    if (rewrite.buildCache && isMap(build)) addCacheEntries(build, rewrite.buildCache(isScalar(pair.key) ? String(pair.key.value) : String(pair.key)), doc);
  }
  if (hasLabels) {
    for (const kind of ['networks', 'volumes'] as const) {
      let section = doc.get(kind);
      // A project with no network (all `network_mode`) has no section: made so labels have a place.
      if (kind === 'networks' && !isMap(section)) {
        section = doc.createNode({});
        doc.set(kind, section);
      }
      if (!isMap(section)) continue;
      if (kind === 'networks' && !section.has('default') && usesDefaultNetwork(services)) section.set('default', doc.createNode({}));
      for (const pair of section.items) {
        if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) pair.value = doc.createNode({});
        const item = pair.value;
        if (!isMap(item)) continue;
        const external = item.get('external');
        if (external === true || isMap(external)) continue;
        setLabels(item, rewrite.labels, doc);
      }
    }
  }
  return doc.toString();
}

/** The file's own cache entries stay; the action's come after them (and are not repeated). */
function addCacheEntries(build: YAMLMap, entries: CacheEntries, doc: Document): void {
  for (const [key, added] of [
    ['cache_from', entries.from],
    ['cache_to', entries.to],
  ] as const) {
    const current = build.get(key, true);
    const own = isSeq(current) ? current.items.map((i) => String(isScalar(i) ? i.value : i)) : [];
    build.set(key, doc.createNode([...own, ...added.filter((e) => !own.includes(e))]));
  }
}

/** A service without `networks` or `network_mode` is on the project's default network. */
function usesDefaultNetwork(services: YAMLMap): boolean {
  return services.items.some((pair) => {
    const svc = pair.value;
    if (!isMap(svc)) return false;
    if (svc.has('network_mode')) return false;
    const nets = svc.get('networks');
    if (!nets) return true;
    if (isMap(nets)) return nets.has('default');
    if (isSeq(nets)) return nets.items.some((i) => isScalar(i) && i.value === 'default');
    return false;
  });
}
