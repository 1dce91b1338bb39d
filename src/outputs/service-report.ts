import { ComposeModel } from '../compose/compose-model';
import { connectionString } from './connection-strings';
import { ServiceOutcome } from '../readiness/outcomes';
import { expandUrlTemplate, previewServiceUrl, PreviewUrls, URL_LABEL } from './url-template';
import { networkPorts, PublishedPort, publishedPorts } from './urls';

// The `services`, `urls` and `<service>-url` outputs, computed from engine facts after the wait.
// A service's URL is, in order: its `ephemeral-compose.url` label, a connection string with
// credentials for a known database or broker, or the URL of its first published TCP port.

/** One container of a service (a replica), with the host ports published for it. */
export interface ReplicaReport {
  container: string;
  name: string;
  ports: PublishedPort[];
}

export interface ServiceReport {
  state: string;
  health: string | null;
  containers: string[];
  /** Every container of the service with its own ports; `ports` and `url` are the first one's. */
  replicas: ReplicaReport[];
  image: string | null;
  ports: PublishedPort[];
  url: string | null;
  /** Where later steps connect: the host and port `url` names (the first TCP port's). */
  reach?: { host: string; port: number };
  readySeconds: number | null;
  readyAt: string | null;
  readiness: string | null;
  detail?: string;
  /** How its container ended, where that decided: a one-shot's completion, or the exit that failed it. */
  exitCode: number | null;
}

export interface StackReport {
  services: Record<string, ServiceReport>;
  urls: Record<string, string>;
  /** Passwords that appear in the URLs; to be masked before anything prints them. */
  secrets: string[];
}

/**
 * Where later steps reach the services: `published` — at the host ports the engine published (on
 * `host`, or the one address a port is bound to); `network` — at the service's name and its
 * container port, for steps in a container joined to the project's network. `services` lists the
 * published ports either way.
 */
export type ReachForm = 'published' | 'network';

export function buildReport(model: ComposeModel, outcomes: Record<string, ServiceOutcome>, host: string, form: ReachForm = 'published', preview?: PreviewUrls): StackReport {
  const services: Record<string, ServiceReport> = {};
  const urls: Record<string, string> = {};
  const secrets = new Set<string>();
  for (const [name, o] of Object.entries(outcomes)) {
    const svc = model.services[name];
    const first = o.containers[0];
    const ports = first ? publishedPorts(svc?.ports ?? [], first.bindings, host) : [];
    const env = { ...(svc?.environment ?? {}), ...(first?.env ?? {}) };
    const reachable = form === 'network' ? networkPorts(ports, name) : ports;
    for (const p of form === 'network' ? [...ports, ...reachable] : ports) {
      if (!p.url) continue;
      const creds = connectionString(p.target, env, p.host, p.published);
      if (creds) {
        p.url = creds.url;
        creds.secrets.forEach((s) => secrets.add(s));
      }
    }
    const template = first?.labels[URL_LABEL] ?? svc?.labels[URL_LABEL];
    const main = reachable.find((p) => p.url);
    let url = main?.url ?? null;
    if (template && reachable.length > 0) url = expandUrlTemplate(template, reachable, (p) => p.host, name);
    // The team's proxy serves HTTP services; a service's own label is the more specific and wins.
    else if (preview && main && url && /^https?:/.test(url)) {
      url = previewServiceUrl(preview, name, main.published, main.host);
    }
    if (url) urls[name] = url;
    services[name] = {
      state: o.status,
      // The action's own run of the healthcheck may pass before the engine's first one: the verdict decides.
      health: o.how === 'healthy' && first?.health === 'starting' ? 'healthy' : (first?.health ?? null),
      containers: o.containers.map((c) => c.id),
      replicas: o.containers.map((c, i) => ({ container: c.id, name: c.name, ports: i === 0 ? ports : publishedPorts(svc?.ports ?? [], c.bindings, host) })),
      image: first?.image ?? svc?.image ?? null,
      ports,
      url,
      ...(main ? { reach: { host: main.host, port: main.published } } : {}),
      readySeconds: o.readyMs !== undefined ? Math.round(o.readyMs) / 1000 : null,
      readyAt: o.readyAt ?? null,
      readiness: o.how ?? null,
      ...(o.detail ? { detail: o.detail } : {}),
      exitCode: o.exitCode ?? null,
    };
  }
  return { services, urls, secrets: [...secrets] };
}
