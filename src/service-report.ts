import { ComposeModel } from './compose-model';
import { ServiceOutcome } from './stack-starter';
import { PublishedPort, publishedPorts } from './urls';

// The `services`, `urls` and `<service>-url` outputs, computed from engine facts after the wait.

export interface ServiceReport {
  state: string;
  health: string | null;
  containers: string[];
  image: string | null;
  ports: PublishedPort[];
  url: string | null;
  readySeconds: number | null;
  readyAt: string | null;
  readiness: string | null;
  detail?: string;
}

export interface StackReport {
  services: Record<string, ServiceReport>;
  urls: Record<string, string>;
}

export function buildReport(model: ComposeModel, outcomes: Record<string, ServiceOutcome>, host: string): StackReport {
  const services: Record<string, ServiceReport> = {};
  const urls: Record<string, string> = {};
  for (const [name, o] of Object.entries(outcomes)) {
    const declared = model.services[name]?.ports ?? [];
    const first = o.containers[0];
    const ports = first ? publishedPorts(declared, o.containers.flatMap((c) => c.bindings), host) : [];
    const url = ports.find((p) => p.url)?.url ?? null;
    if (url) urls[name] = url;
    services[name] = {
      state: o.status,
      health: first?.health ?? null,
      containers: o.containers.map((c) => c.id),
      image: first?.image ?? model.services[name]?.image ?? null,
      ports,
      url,
      readySeconds: o.readyMs !== undefined ? Math.round(o.readyMs) / 1000 : null,
      readyAt: o.readyAt ?? null,
      readiness: o.how ?? null,
      ...(o.detail ? { detail: o.detail } : {}),
    };
  }
  return { services, urls };
}
