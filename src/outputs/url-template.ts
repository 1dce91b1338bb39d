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
