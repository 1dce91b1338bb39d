import { ComposeLabels } from '../compose/labels';

// What the engine says about a container (`docker inspect`), reduced to typed facts. Engine facts
// are the same whichever Compose version created the container.

export interface PortBinding {
  target: number;
  protocol: string;
  hostIp: string;
  hostPort: number;
}

export interface ContainerFacts {
  id: string;
  name: string;
  service: string;
  image: string;
  status: string; // created | running | restarting | exited | paused | dead | removing
  exitCode: number;
  /** When the engine last started / stopped it (ms since the epoch); undefined before the first start. */
  startedAt?: number;
  finishedAt?: number;
  restartCount: number;
  restartPolicy: string;
  health?: string; // starting | healthy | unhealthy
  lastHealthOutput?: string;
  hasHealthcheck: boolean;
  healthcheckTest?: string[];
  healthTimeoutMs?: number;
  /** The container's own shell setting, which the engine uses for CMD-SHELL healthchecks (/bin/sh -c where empty; it is not taken from the image's SHELL). */
  shell?: string[];
  networkMode: string;
  /** IPv4 addresses first, then IPv6 ones: a container on an IPv6-only network has only the latter. */
  ipAddresses: string[];
  /** Names of the networks it is attached to. */
  networks: string[];
  exposedTcpPorts: number[];
  bindings: PortBinding[];
  labels: Record<string, string>;
  env: Record<string, string>;
}

/** The parts of the engine's container inspect JSON read here (every field may be missing). */
export interface InspectJson {
  Id?: string;
  Name?: string;
  RestartCount?: number;
  State?: { Status?: string; ExitCode?: number; StartedAt?: string; FinishedAt?: string; Health?: { Status?: string; Log?: { Output?: string }[] } };
  Config?: {
    Image?: string;
    Labels?: Record<string, string> | null;
    Env?: string[] | null;
    ExposedPorts?: Record<string, unknown> | null;
    Healthcheck?: { Test?: string[]; Timeout?: number };
    Shell?: string[] | null;
  };
  HostConfig?: { NetworkMode?: string; RestartPolicy?: { Name?: string } };
  NetworkSettings?: {
    Ports?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string; GlobalIPv6Address?: string }> | null;
  };
}

export function parseInspect(entry: InspectJson): ContainerFacts {
  const state = entry.State ?? {};
  const config = entry.Config ?? {};
  const host = entry.HostConfig ?? {};
  const net = entry.NetworkSettings ?? {};
  const labels = config.Labels ?? {};
  const hc = config.Healthcheck;
  const test = Array.isArray(hc?.Test) ? hc.Test : undefined;
  const hasHealthcheck = test !== undefined && test.length > 0 && test[0] !== 'NONE';
  const healthLog = state.Health?.Log ?? [];
  const bindings: PortBinding[] = [];
  for (const [key, list] of Object.entries(net.Ports ?? {})) {
    const [port, protocol] = key.split('/');
    for (const b of list ?? []) {
      bindings.push({ target: Number(port), protocol: protocol ?? 'tcp', hostIp: b.HostIp ?? '', hostPort: Number(b.HostPort) });
    }
  }
  // Compose stores exposed ports as "3306" where the engine writes "3306/tcp".
  const exposedTcpPorts = Object.keys(config.ExposedPorts ?? {})
    .filter((k) => !k.includes('/') || k.endsWith('/tcp'))
    .map((k) => Number(k.split('/')[0]))
    .filter((p) => Number.isInteger(p) && p > 0)
    .sort((a, b) => a - b);
  const networks = Object.values(net.Networks ?? {});
  const ipAddresses = [...networks.map((n) => n.IPAddress), ...networks.map((n) => n.GlobalIPv6Address)].filter((ip): ip is string => typeof ip === 'string' && ip !== '');
  return {
    id: entry.Id ?? '',
    name: String(entry.Name ?? '').replace(/^\//, ''),
    service: labels[ComposeLabels.Service] ?? '',
    image: config.Image ?? '',
    status: state.Status ?? 'unknown',
    exitCode: state.ExitCode ?? 0,
    startedAt: engineTime(state.StartedAt),
    finishedAt: engineTime(state.FinishedAt),
    restartCount: entry.RestartCount ?? 0,
    restartPolicy: host.RestartPolicy?.Name || 'no',
    health: state.Health?.Status,
    lastHealthOutput: healthLog.length > 0 ? String(healthLog[healthLog.length - 1].Output ?? '').trim() : undefined,
    hasHealthcheck,
    healthcheckTest: hasHealthcheck ? test : undefined,
    healthTimeoutMs: hc?.Timeout ? Math.round(hc.Timeout / 1e6) : undefined,
    shell: Array.isArray(config.Shell) && config.Shell.length > 0 ? config.Shell.map(String) : undefined,
    networkMode: host.NetworkMode ?? 'default',
    ipAddresses,
    networks: Object.keys(net.Networks ?? {}),
    exposedTcpPorts,
    bindings,
    labels,
    env: envFromList(config.Env ?? []),
  };
}

/** The engine writes 0001-01-01T00:00:00Z for "never". */
function engineTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.startsWith('0001-')) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `NAME=value` entries as the engine lists them, as a mapping. */
export function envFromList(list: string[]): Record<string, string> {
  return Object.fromEntries(list.filter((e) => e.includes('=')).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** Whether the engine will bring the container back after it exits with `exitCode`. */
export function willRestart(facts: ContainerFacts, exitCode: number): boolean {
  switch (facts.restartPolicy) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0;
    default:
      return false;
  }
}
