import type * as Yaml from 'yaml';
import { parsePortEntry, PortSpec } from './port-spec';
import { errorText } from './error-text';

// The resolved configuration as printed by `compose config`, reduced to what the action needs.

export type DependencyKind = 'depends_on' | 'links' | 'network_mode' | 'volumes_from';

export interface Dependency {
  service: string;
  kind: DependencyKind;
  /** depends_on condition as written; readiness is enforced whatever it says. */
  condition?: string;
  required: boolean;
}

export interface Healthcheck {
  disabled: boolean;
  test?: string[];
}

export interface ServiceModel {
  name: string;
  image?: string;
  hasBuild: boolean;
  ports: PortSpec[];
  expose: number[];
  healthcheck?: Healthcheck;
  dependencies: Dependency[];
  profiles: string[];
  labels: Record<string, string>;
  environment: Record<string, string>;
  /** pre_start or post_start hooks, which compose runs in its own start path. */
  hasHooks: boolean;
  /** Secrets or configs whose file compose writes itself (`content:`, `environment:` sources). */
  hasGeneratedFiles: boolean;
  /** `scale` or `deploy.replicas` as resolved (compose default 1). */
  replicas: number;
  networkMode?: string;
  /** `platform:`, which only compose's own pull honours. */
  platform?: string;
}

/**
 * Services whose start compose must do itself: it does more per container than `docker start`
 * (pre_start hook runners before, post_start hooks after; secret and config files it generates
 * from `content:` or `environment:` sources, copied in at start by recent versions). The starter
 * hands these to compose's start path (`up` on the created containers); every other container the engine starts directly.
 */
export function startsThroughCompose(service: ServiceModel): boolean {
  return service.hasHooks || service.hasGeneratedFiles;
}

/** Where a top-level secret's value comes from, as compose resolved it. */
export interface SecretSource {
  name: string;
  /** An absolute path (compose resolves it). */
  file?: string;
  /** The variable compose reads the value from. */
  environment?: string;
  content?: string;
}

export interface ComposeModel {
  services: Record<string, ServiceModel>;
  /** Top-level `secrets:`: every value compose treats as a secret. */
  secrets: SecretSource[];
}

function secretSources(top: Record<string, unknown>): SecretSource[] {
  return Object.entries(asRecord(top.secrets, 'secrets')).map(([name, def]) => {
    const d = asRecord(def, `secrets.${name}`);
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { name, file: text(d.file), environment: text(d.environment), content: text(d.content) };
  });
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what} must be a mapping`);
  return value as Record<string, unknown>;
}

function asStringList(value: unknown, what: string): string[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${what} must be a list`);
  return value.map((v) => String(v));
}

/** `KEY=VALUE` lists and mappings both become a mapping; valueless keys are dropped. */
function keyValues(value: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq > 0) out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  for (const [k, v] of Object.entries(asRecord(value, what))) {
    if (v !== null && v !== undefined) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

function parseDependencies(name: string, svc: Record<string, unknown>): Dependency[] {
  const deps: Dependency[] = [];
  const dependsOn = svc.depends_on;
  if (Array.isArray(dependsOn)) {
    for (const d of dependsOn) deps.push({ service: String(d), kind: 'depends_on', required: true });
  } else if (dependsOn !== undefined && dependsOn !== null) {
    for (const [dep, opts] of Object.entries(asRecord(dependsOn, `services.${name}.depends_on`))) {
      const o = asRecord(opts, `services.${name}.depends_on.${dep}`);
      deps.push({
        service: dep,
        kind: 'depends_on',
        condition: typeof o.condition === 'string' ? o.condition : undefined,
        required: o.required !== false,
      });
    }
  }
  for (const link of asStringList(svc.links, `services.${name}.links`)) {
    deps.push({ service: link.split(':')[0], kind: 'links', required: true });
  }
  const networkMode = svc.network_mode;
  if (typeof networkMode === 'string' && networkMode.startsWith('service:')) {
    deps.push({ service: networkMode.slice('service:'.length), kind: 'network_mode', required: true });
  }
  for (const vf of asStringList(svc.volumes_from, `services.${name}.volumes_from`)) {
    if (vf.startsWith('container:')) continue; // a container outside the project: nothing to order
    const parts = vf.split(':');
    const service = parts[0] === 'service' ? parts[1] : parts[0];
    deps.push({ service, kind: 'volumes_from', required: true });
  }
  return deps;
}

function parseHealthcheck(value: unknown, what: string): Healthcheck | undefined {
  if (value === undefined || value === null) return undefined;
  const hc = asRecord(value, what);
  let test: string[] | undefined;
  if (typeof hc.test === 'string') test = ['CMD-SHELL', hc.test];
  else if (Array.isArray(hc.test)) test = hc.test.map(String);
  const disabled = hc.disable === true || (test !== undefined && test[0] === 'NONE');
  return { disabled, test };
}

function parseServiceModel(name: string, raw: unknown): ServiceModel {
  const svc = asRecord(raw, `services.${name}`);
  const ports: PortSpec[] = [];
  for (const p of (svc.ports as unknown[] | undefined) ?? []) {
    try {
      ports.push(...parsePortEntry(p));
    } catch (e) {
      throw new Error(`services.${name}.ports: ${errorText(e)}`);
    }
  }
  const expose = asStringList(svc.expose, `services.${name}.expose`).flatMap((e) => {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(e);
    if (!m) throw new Error(`services.${name}.expose: bad port '${e}'`);
    if (m[3] && m[3] !== 'tcp') return [];
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  });
  const hooks = [svc.pre_start, svc.post_start].flatMap((h): unknown[] => (Array.isArray(h) ? h : []));
  const deploy = asRecord(svc.deploy, `services.${name}.deploy`);
  const replicas = Number(svc.scale ?? deploy.replicas ?? 1);
  return {
    name,
    image: typeof svc.image === 'string' ? svc.image : undefined,
    hasBuild: svc.build !== undefined && svc.build !== null,
    ports,
    expose,
    healthcheck: parseHealthcheck(svc.healthcheck, `services.${name}.healthcheck`),
    dependencies: parseDependencies(name, svc),
    profiles: asStringList(svc.profiles, `services.${name}.profiles`),
    labels: keyValues(svc.labels, `services.${name}.labels`),
    environment: keyValues(svc.environment, `services.${name}.environment`),
    hasHooks: hooks.length > 0,
    hasGeneratedFiles: false,
    replicas: Number.isInteger(replicas) && replicas >= 0 ? replicas : 1,
    platform: typeof svc.platform === 'string' ? svc.platform : undefined,
    networkMode: typeof svc.network_mode === 'string' ? svc.network_mode : undefined,
  };
}

/**
 * Loaded on first use (the compose-file check has usually loaded it already): the YAML parser is
 * about a third of a step's start-up time, and the post step, which shares modules with main,
 * never reads YAML.
 */
function parseYaml(text: string): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof Yaml;
  return yaml.parse(text, { maxAliasCount: -1 });
}

/**
 * Top-level secrets and configs whose file compose writes itself from `content:` or
 * `environment:` (keys as `secrets/<name>`, `configs/<name>`): Compose 2.37.3+ copies those into
 * the container in its own start path, which `docker start` does not take.
 */
function generatedFileSources(top: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  for (const kind of ['secrets', 'configs']) {
    for (const [name, def] of Object.entries(asRecord(top[kind], kind))) {
      const d = asRecord(def, `${kind}.${name}`);
      if (d.content !== undefined || d.environment !== undefined) out.add(`${kind}/${name}`);
    }
  }
  return out;
}

function generatedFileReferences(raw: unknown): string[] {
  const svc = asRecord(raw, 'service');
  const refs: string[] = [];
  for (const kind of ['secrets', 'configs']) {
    const list = svc[kind];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const source = typeof item === 'string' ? item : (asRecord(item, kind).source as string | undefined);
      if (source) refs.push(`${kind}/${source}`);
    }
  }
  return refs;
}

/** Parses the YAML printed by `docker compose config`. */
export function parseResolvedConfig(yamlText: string): ComposeModel {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (e) {
    throw new Error(`could not read the resolved compose configuration: ${errorText(e)}`);
  }
  const top = asRecord(doc, 'the resolved compose configuration');
  const services: Record<string, ServiceModel> = {};
  const generated = generatedFileSources(top);
  for (const [name, raw] of Object.entries(asRecord(top.services, 'services'))) {
    services[name] = parseServiceModel(name, raw);
    services[name].hasGeneratedFiles = generatedFileReferences(raw).some((ref) => generated.has(ref));
  }
  return { services, secrets: secretSources(top) };
}
