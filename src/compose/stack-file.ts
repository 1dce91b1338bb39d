import { parse as parseYaml, stringify } from 'yaml';

// `docker stack deploy` reads a compose file with the CLI's own loader (the 3.x file format), not
// compose's. The action hands it what compose resolved (files, .env, profiles, interpolation are
// compose's), rewritten into what that loader takes: keys Swarm cannot honour are refused before
// anything is deployed, keys it would ignore are left out and named, so nobody believes they
// applied. `docker stack config` then checks the result with the CLI's own schema.

/** What a service keeps: the keys of the 3.x format that Swarm applies to a service's tasks. */
const SWARM_SERVICE_KEYS = new Set([
  'cap_add',
  'cap_drop',
  'command',
  'configs',
  'credential_spec',
  'deploy',
  'dns',
  'dns_search',
  'domainname',
  'entrypoint',
  'environment',
  'extra_hosts',
  'healthcheck',
  'hostname',
  'image',
  'init',
  'isolation',
  'labels',
  'logging',
  'networks',
  'ports',
  'read_only',
  'secrets',
  'stdin_open',
  'stop_grace_period',
  'stop_signal',
  'sysctls',
  'tmpfs',
  'tty',
  'ulimits',
  'user',
  'volumes',
  'working_dir',
]);

/** Keys the action itself carries out on Swarm, or that compose only used to resolve the rest: left out without a word. */
const HANDLED_KEYS = new Set(['depends_on', 'env_file', 'expose', 'profiles']);

const HEALTHCHECK_KEYS = new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']);
const PORT_KEYS = new Set(['mode', 'target', 'published', 'protocol']);
const RESOURCE_KEYS: Record<string, Set<string>> = {
  networks: new Set(['driver', 'driver_opts', 'ipam', 'external', 'internal', 'attachable', 'labels', 'name']),
  volumes: new Set(['driver', 'driver_opts', 'external', 'labels', 'name']),
  configs: new Set(['file', 'external', 'labels', 'name', 'template_driver']),
  secrets: new Set(['file', 'external', 'labels', 'name', 'driver', 'driver_opts', 'template_driver']),
};

type Doc = Record<string, unknown>;

function record(value: unknown): Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : {};
}

/** Compose's resolved configuration, as it printed it. */
export function readResolved(configYaml: string): Doc {
  return record(parseYaml(configYaml));
}

/**
 * Why the stack cannot go to Swarm as it is, one line per service and reason; empty when it can.
 * Swarm builds nothing (a service needs an image every node can pull or has), and runs every
 * task in its own network namespace on some node.
 */
export function swarmRefusals(config: Doc, services: readonly string[]): string[] {
  const refusals: string[] = [];
  for (const name of services) {
    const svc = record(record(config.services)[name]);
    if (svc.build !== undefined && typeof svc.image !== 'string')
      refusals.push(`service ${name} has a build: section and no image: Swarm builds nothing; build and push the image first and name it in image:`);
    if (typeof svc.network_mode === 'string')
      refusals.push(`service ${name} has network_mode: ${svc.network_mode}: Swarm gives each task a network of its own; attach it to a network of the stack instead`);
  }
  for (const kind of ['configs', 'secrets'] as const) {
    for (const [name, raw] of Object.entries(record(config[kind]))) {
      const r = record(raw);
      if (r.content !== undefined || r.environment !== undefined)
        refusals.push(`${kind.slice(0, -1)} ${name} comes from ${r.content !== undefined ? 'content:' : 'environment:'}, which Swarm cannot read; use file: or an external one`);
    }
  }
  return refusals;
}

export interface StackDocument {
  /** The file to give `docker stack deploy -c`. */
  yaml: string;
  /** What was left out, as "service web: container_name (Swarm names the tasks)". */
  leftOut: string[];
}

/** Why a key is left out, where there is more to say than that Swarm ignores it. */
const WHY: Record<string, string> = {
  container_name: 'Swarm names the tasks itself',
  restart: 'Swarm restarts tasks by deploy.restart_policy; set that instead',
  build: 'Swarm builds nothing: the image must already be in a registry or on every node',
  ports_host_ip: 'Swarm publishes on every address',
  start_interval: "the stack format has no start_interval; the healthcheck's interval applies from the start",
};

/** What the action adds to each service of the stack file. */
export interface StackExtras {
  /** Service labels (a preview's: who deployed it), beside the file's own deploy.labels. */
  labels?: Record<string, string>;
  /** `ports: ephemeral`: published ports are left to Swarm, which picks free ones. */
  ephemeralPorts?: boolean;
}

/**
 * The stack file for `services` (one level): compose's resolved services with only what Swarm
 * applies, one-shots as jobs that are never restarted (their exit is the verdict), and the
 * project's networks, volumes, configs and secrets. Names compose gave resources
 * (`<project>_<key>`) are Swarm's own defaults and are left to it.
 */
export function stackDocument(config: Doc, project: string, services: readonly string[], oneShots: ReadonlySet<string>, extras: StackExtras = {}): StackDocument {
  const leftOut: string[] = [];
  const out: Doc = { version: '3.8', services: {} };
  const all = record(config.services);
  for (const name of services) {
    const svc = record(all[name]);
    const kept: Doc = {};
    const dropped: string[] = [];
    for (const [key, value] of Object.entries(svc)) {
      if (value === null || value === undefined) continue;
      if (SWARM_SERVICE_KEYS.has(key)) kept[key] = value;
      else if (!HANDLED_KEYS.has(key)) dropped.push(WHY[key] ? `${key} (${WHY[key]})` : key);
    }
    if (Array.isArray(kept.ports)) kept.ports = kept.ports.map((p) => swarmPort(p, dropped, extras.ephemeralPorts === true));
    if (kept.healthcheck) kept.healthcheck = swarmHealthcheck(record(kept.healthcheck), dropped);
    if (Array.isArray(kept.volumes)) kept.volumes = kept.volumes.map(swarmMount);
    if (oneShots.has(name)) {
      const deploy = record(kept.deploy);
      kept.deploy = { ...deploy, mode: 'replicated-job', restart_policy: { ...record(deploy.restart_policy), condition: 'none' } };
    }
    if (extras.labels) {
      const deploy = record(kept.deploy);
      kept.deploy = { ...deploy, labels: { ...labelMap(deploy.labels), ...extras.labels } };
    }
    if (dropped.length > 0) leftOut.push(`service ${name}: ${[...new Set(dropped)].join(', ')}`);
    (out.services as Doc)[name] = kept;
  }
  for (const kind of ['networks', 'volumes', 'configs', 'secrets'] as const) {
    const entries = Object.entries(record(config[kind]));
    if (entries.length === 0) continue;
    const section: Doc = {};
    for (const [key, raw] of entries) {
      const kept: Doc = {};
      for (const [k, v] of Object.entries(record(raw))) {
        if (v === null || v === undefined || !RESOURCE_KEYS[kind].has(k)) continue;
        if (k === 'name' && v === `${project}_${key}`) continue;
        if (k === 'ipam' && Object.keys(record(v)).length === 0) continue;
        kept[k] = v;
      }
      section[key] = kept;
    }
    out[kind] = section;
  }
  return { yaml: stringify(out), leftOut };
}

/** Labels as a map, whichever form the file gave (compose prints a map; `KEY=value` lists are read too). */
function labelMap(raw: unknown): Record<string, string> {
  if (!Array.isArray(raw)) return Object.fromEntries(Object.entries(record(raw)).map(([k, v]) => [k, String(v)]));
  return Object.fromEntries(raw.map((l) => String(l)).map((l) => [l.split('=')[0], l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));
}

/**
 * A published port in the long form the stack format takes (compose prints `published` as a
 * string); without `published` when the swarm is to pick it.
 */
function swarmPort(raw: unknown, dropped: string[], ephemeral: boolean): Doc {
  const port = record(raw);
  const kept: Doc = {};
  for (const [k, v] of Object.entries(port)) if (PORT_KEYS.has(k) && v !== null && v !== undefined) kept[k] = v;
  if (typeof kept.published === 'string' && /^\d+$/.test(kept.published)) kept.published = Number(kept.published);
  if (kept.published === '' || kept.published === undefined || ephemeral) delete kept.published;
  if (port.host_ip !== undefined) dropped.push(`ports: host_ip (${WHY.ports_host_ip})`);
  return kept;
}

function swarmHealthcheck(check: Doc, dropped: string[]): Doc {
  const kept: Doc = {};
  for (const [k, v] of Object.entries(check)) if (HEALTHCHECK_KEYS.has(k) && v !== null && v !== undefined) kept[k] = v;
  if (check.start_interval !== undefined) dropped.push(`healthcheck: start_interval (${WHY.start_interval})`);
  return kept;
}

/** A mount without compose's own options (create_host_path: Swarm never creates a bind source). */
function swarmMount(raw: unknown): unknown {
  const mount = record(raw);
  if (Object.keys(mount).length === 0) return raw;
  const { bind, ...rest } = mount;
  const bindOptions = record(bind);
  delete bindOptions.create_host_path;
  const keptBind = Object.fromEntries(Object.entries(bindOptions).filter(([k]) => k === 'propagation'));
  return Object.keys(keptBind).length > 0 ? { ...rest, bind: keptBind } : rest;
}
