import { PortBinding } from '../engine/container-facts';
import { PortSpec } from '../compose/port-spec';

// URLs for published ports: a scheme that fits the port, and a host that can actually reach it.

const SCHEMES: Record<number, string> = {
  80: 'http',
  3000: 'http',
  4200: 'http',
  5000: 'http',
  5173: 'http',
  8000: 'http',
  8080: 'http',
  8081: 'http',
  8088: 'http',
  8888: 'http',
  9000: 'http',
  9090: 'http',
  443: 'https',
  8443: 'https',
  3306: 'mysql',
  5432: 'postgres',
  6379: 'redis',
  27017: 'mongodb',
  5672: 'amqp',
  4222: 'nats',
  1883: 'mqtt',
};

export function schemeForPort(containerPort: number): string {
  return SCHEMES[containerPort] ?? 'tcp';
}

export interface PublishedPort {
  target: number;
  published: number;
  protocol: string;
  hostIp: string;
  /** Where the port is reached from the runner: the `host` input, or the one address it is bound to. */
  host: string;
  /** Undefined for UDP/SCTP: there is no URL to give. */
  url?: string;
}

const ANY_ADDRESS = new Set(['', '0.0.0.0', '::']);

export function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * A port bound to one address only is reachable there, not on the public host name. One bound to
 * the IPv6 wildcard alone (a service on IPv6-only networks) is not on 127.0.0.1, where most
 * clients look up `localhost` first: its loopback is named instead.
 */
function hostForBinding(binding: { hostIp: string }, defaultHost: string): string {
  if (binding.hostIp === '::' && defaultHost === 'localhost') return '::1';
  return ANY_ADDRESS.has(binding.hostIp) ? defaultHost : binding.hostIp;
}

/**
 * One entry per container port that the engine published, declared ports first in declaration
 * order. Docker lists an IPv4 and an IPv6 binding for the same port; the IPv4 one is kept.
 */
export function publishedPorts(declared: PortSpec[], bindings: PortBinding[], defaultHost: string): PublishedPort[] {
  const byKey = new Map<string, PortBinding>();
  for (const b of bindings) {
    if (!Number.isFinite(b.hostPort) || b.hostPort <= 0) continue;
    const key = `${b.target}/${b.protocol}`;
    const seen = byKey.get(key);
    if (!seen || (seen.hostIp.includes(':') && !b.hostIp.includes(':'))) byKey.set(key, b);
  }
  const order: string[] = [];
  for (const d of declared) {
    const key = `${d.target}/${d.protocol}`;
    if (byKey.has(key) && !order.includes(key)) order.push(key);
  }
  const rest = [...byKey.keys()].filter((k) => !order.includes(k)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  return [...order, ...rest].map((key) => {
    const b = byKey.get(key) as PortBinding;
    const host = hostForBinding(b, defaultHost);
    const port: PublishedPort = { target: b.target, published: b.hostPort, protocol: b.protocol, hostIp: b.hostIp, host };
    if (b.protocol === 'tcp') port.url = `${schemeForPort(b.target)}://${formatHost(host)}:${b.hostPort}`;
    return port;
  });
}

/**
 * The same ports as another container on the project's network reaches them: at the service's
 * name and the container port (a job container joined to that network, say).
 */
export function networkPorts(ports: PublishedPort[], service: string): PublishedPort[] {
  return ports.map((p) => ({ ...p, host: service, published: p.target, ...(p.protocol === 'tcp' ? { url: `${schemeForPort(p.target)}://${service}:${p.target}` } : {}) }));
}
