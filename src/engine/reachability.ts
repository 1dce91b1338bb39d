import { isIP } from 'net';

// Whether this machine can reach an address itself: only addresses inside a network that one of
// its own interfaces is on (a local engine's bridge, loopback). Anything else would be sent through
// a default route, to whatever lies there: never proof that *our* container listens.

export interface InterfaceAddress {
  address: string;
  netmask: string;
  family: string | number;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  let text = ip.split('%')[0];
  // An IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToBigInt(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function toBigInt(ip: string): { value: bigint; bits: number } | undefined {
  const v = isIP(ip.split('%')[0]);
  if (v === 4) return { value: ipv4ToBigInt(ip), bits: 32 };
  if (v === 6) return { value: ipv6ToBigInt(ip), bits: 128 };
  return undefined;
}

/** Whether `address` lies inside the network of one of `interfaces` (as os.networkInterfaces() lists them). */
export function isOnLocalNetwork(address: string, interfaces: Record<string, InterfaceAddress[] | undefined>): boolean {
  const target = toBigInt(address);
  if (!target) return false;
  for (const list of Object.values(interfaces)) {
    for (const i of list ?? []) {
      const own = toBigInt(i.address);
      const mask = toBigInt(i.netmask);
      if (!own || !mask || own.bits !== target.bits || mask.bits !== target.bits) continue;
      if ((own.value & mask.value) === (target.value & mask.value)) return true;
    }
  }
  return false;
}

/**
 * Whether the engine runs on this machine: a unix socket, or tcp/ssh to one of this machine's own
 * addresses. An engine elsewhere has its containers, and its host network's loopback, elsewhere
 * too, whatever addresses they have.
 */
export function engineIsLocal(dockerHost: string | undefined, interfaces: Record<string, InterfaceAddress[] | undefined>): boolean {
  if (!dockerHost || dockerHost.startsWith('unix://') || dockerHost.startsWith('npipe://')) return true;
  const host = engineHostName(dockerHost);
  if (!host) return false;
  if (host === 'localhost' || /^127\./.test(host) || host === '::1') return true;
  return Object.values(interfaces).some((list) => (list ?? []).some((i) => i.address === host));
}

/** The host of an engine address (tcp://h:2376, ssh://user@h), undefined for a socket. */
export function engineHostName(dockerHost: string | undefined): string | undefined {
  const m = /^(?:tcp|ssh|https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(dockerHost ?? '');
  return m ? m[1].replace(/^\[|\]$/g, '') : undefined;
}

/** How this run reaches the project's containers: chosen once, used by every probe. */
export interface Reachability {
  /** One line for the log: how services are reached. */
  description: string;
  /** Whether the engine runs on this machine (see engineIsLocal). */
  engineIsLocal: boolean;
  /** Whether a probe may connect to this container address from here. */
  reachable(address: string): boolean;
}

/** How soon an address found on no network of this machine's has the interfaces read again for it. */
const INTERFACES_REREAD_MS = 1000;

/**
 * Container addresses where they lie on a network of this machine's (a local engine's bridge),
 * else through the engine. The interfaces are read again for an address not on the last list (the
 * project's bridges appear once compose creates them, a job container's once it joins them), and
 * for one on none at most once a second: with a veth per container a read is costly, and a large
 * stack would read them at each new address.
 */
export function chooseReachability(dockerHost: string | undefined, interfaces: () => Record<string, InterfaceAddress[] | undefined>, now: () => number = Date.now): Reachability {
  let list = interfaces();
  const local = engineIsLocal(dockerHost, list);
  const known = new Set<string>();
  const missedAt = new Map<string, number>();
  const onLocalNetwork = (address: string): boolean => {
    if (isOnLocalNetwork(address, list)) return true;
    const missed = missedAt.get(address);
    if (missed !== undefined && now() - missed < INTERFACES_REREAD_MS) return false;
    list = interfaces();
    if (isOnLocalNetwork(address, list)) return true;
    missedAt.set(address, now());
    return false;
  };
  return {
    engineIsLocal: local,
    description: local
      ? 'Reaching services: container addresses where this machine is on their network, else through the engine'
      : `Reaching services: through the engine at ${dockerHost} (ports read inside each container)`,
    reachable: (address) => {
      if (!local) return false;
      if (!known.has(address) && onLocalNetwork(address)) known.add(address);
      return known.has(address);
    },
  };
}
