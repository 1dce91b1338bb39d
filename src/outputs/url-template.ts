import { PublishedPort } from './urls';
import { formatHost } from './urls';

// The `ephemeral-compose.url` label: a service says what its URL is, e.g.
//   ephemeral-compose.url: "http://{host}:{port:8080}/admin"
// {host} is the host name for the port, {port} the first published port, {port:N} the host port
// published for container port N.

export const URL_LABEL = 'ephemeral-compose.url';

export function expandUrlTemplate(template: string, ports: PublishedPort[], hostFor: (p: PublishedPort) => string, service: string): string {
  const find = (target?: number): PublishedPort => {
    const p = target === undefined ? ports.find((x) => x.protocol === 'tcp') : ports.find((x) => x.target === target);
    if (!p)
      throw new Error(`Label ${URL_LABEL} of service '${service}' refers to ${target === undefined ? 'a published port' : `container port ${target}`}, which is not published.`);
    return p;
  };
  const refersTo = /\{port:(\d+)\}/.exec(template);
  const main = find(refersTo ? Number(refersTo[1]) : undefined);
  return template
    .replace(/\{(host|port)(?::(\d+))?\}/g, (_, field: string, n?: string) => {
      const p = n !== undefined ? find(Number(n)) : main;
      return field === 'host' ? formatHost(hostFor(p)) : String(p.published);
    })
    .replace(/\{[^}]*\}/g, (unknown) => {
      throw new Error(`Label ${URL_LABEL} of service '${service}': unknown field ${unknown}; known: {host}, {port}, {port:N}.`);
    });
}

// The `url-template` input: public URLs of HTTP services behind the team's own reverse proxy, e.g.
// https://{service}.pr-{pr}.preview.example.com. Non-HTTP services keep their host:port URLs.

export const PREVIEW_URL_FIELDS = ['service', 'project', 'pr', 'branch', 'port', 'host'] as const;
export type PreviewUrlField = (typeof PREVIEW_URL_FIELDS)[number];

/** The placeholders a template uses; an unknown one is an error that names it. */
export function urlTemplateFields(template: string): PreviewUrlField[] {
  const used = [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1]);
  const unknown = used.filter((f) => !(PREVIEW_URL_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0) {
    throw new Error(`Input 'url-template' has unknown placeholder(s) ${unknown.map((f) => `{${f}}`).join(', ')}; known: ${PREVIEW_URL_FIELDS.map((f) => `{${f}}`).join(' ')}.`);
  }
  return [...new Set(used as PreviewUrlField[])];
}

export function expandPreviewUrl(template: string, fields: Record<PreviewUrlField, string>): string {
  return template.replace(/\{([a-z]+)\}/g, (_, f: PreviewUrlField) => fields[f]);
}

/** What a preview's URLs are made of, besides each service's own name, port and host. */
export interface PreviewUrls {
  template: string;
  project: string;
  pr: string;
  branch: string;
}

/** A service's public URL: the template filled with the preview's fields and the service's own. */
export function previewServiceUrl(preview: PreviewUrls, service: string, port: number, host: string): string {
  return expandPreviewUrl(preview.template, { ...preview, service, port: String(port), host: formatHost(host) });
}
