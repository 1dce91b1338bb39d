// Compose `ports:` entries, short ("127.0.0.1:8000-8001:80-81/udp") or long form, expanded to one
// spec per container port. `config` prints the long form; users' files hold either.

export type PortProtocol = 'tcp' | 'udp' | 'sctp';

export interface PortSpec {
  target: number;
  /** Host port as declared; undefined when the engine picks one. */
  published?: number;
  hostIp?: string;
  protocol: PortProtocol;
  /** The engine picks the host port from a declared range ("8000-8010:80"). */
  fromRange?: boolean;
}

function parseRange(text: string, what: string, entry: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new Error(`bad ${what} '${text}' in port '${entry}'`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 0 || hi > 65535 || hi < lo) throw new Error(`bad ${what} range '${text}' in port '${entry}'`);
  return [lo, hi];
}

function parseProtocol(text: string | undefined, entry: string): PortProtocol {
  const p = (text ?? 'tcp').toLowerCase();
  if (p === 'tcp' || p === 'udp' || p === 'sctp') return p;
  throw new Error(`bad protocol '${text}' in port '${entry}'`);
}

export function parseShortPort(entry: string): PortSpec[] {
  let rest = entry.trim();
  let protocol: PortProtocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    protocol = parseProtocol(rest.slice(slash + 1), entry);
    rest = rest.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') throw new Error(`bad IPv6 host address in port '${entry}'`);
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostPart: string | undefined;
  let containerPart: string;
  if (parts.length === 1) {
    containerPart = parts[0];
  } else if (parts.length === 2) {
    [hostPart, containerPart] = parts;
  } else if (parts.length === 3 && hostIp === undefined) {
    [hostIp, hostPart, containerPart] = parts;
  } else {
    throw new Error(`bad port '${entry}'`);
  }
  const [tLo, tHi] = parseRange(containerPart, 'container port', entry);
  let hostRange: [number, number] | undefined;
  if (hostPart !== undefined && hostPart !== '') {
    hostRange = parseRange(hostPart, 'host port', entry);
    const hostCount = hostRange[1] - hostRange[0];
    // A host range wider than a single container port lets the engine pick one from it.
    if (hostCount !== tHi - tLo && tLo !== tHi) throw new Error(`host and container port ranges differ in size in '${entry}'`);
  }
  const specs: PortSpec[] = [];
  for (let t = tLo; t <= tHi; t++) {
    const spec: PortSpec = { target: t, protocol };
    if (hostRange && (hostRange[0] === hostRange[1] || tLo !== tHi)) spec.published = hostRange[0] + (t - tLo);
    else if (hostRange) spec.fromRange = true;
    if (hostIp) spec.hostIp = hostIp;
    specs.push(spec);
  }
  return specs;
}

export function parsePortEntry(entry: unknown): PortSpec[] {
  if (typeof entry === 'number') return parseShortPort(String(entry));
  if (typeof entry === 'string') return parseShortPort(entry);
  if (entry && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    const target = Number(o.target);
    if (!Number.isInteger(target) || target <= 0 || target > 65535) throw new Error(`bad port target in ${JSON.stringify(entry)}`);
    const spec: PortSpec = { target, protocol: parseProtocol(o.protocol as string | undefined, JSON.stringify(entry)) };
    if (o.published !== undefined && o.published !== null && o.published !== '') {
      const pub = typeof o.published === 'string' ? o.published : JSON.stringify(o.published);
      const [lo, hi] = parseRange(pub, 'published port', JSON.stringify(entry));
      if (lo === hi) spec.published = lo;
      else spec.fromRange = true;
    }
    if (typeof o.host_ip === 'string' && o.host_ip !== '') spec.hostIp = o.host_ip;
    return [spec];
  }
  throw new Error(`bad port entry ${JSON.stringify(entry)}`);
}
