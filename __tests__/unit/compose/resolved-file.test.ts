import { parse } from 'yaml';
import { portWithoutHostPort, rewriteResolvedConfig } from '../../../src/compose/resolved-file';

// Compose's own `config` output, as each version prints it, rewritten for ports: ephemeral and labels.

const V1 = `services:
  a:
    command:
    - sh
    - -c
    - echo $$HOME x
    image: busybox
    labels:
      one: '1'
    ports:
    - published: 8080
      target: 80
    - 127.0.0.1:3306:3306/tcp
    - 9000-9001:9000-9001/udp
  b:
    image: busybox
    labels:
    - two=2
version: '3.9'
volumes:
  data: {}
  shared:
    external: true
    name: shared
`;

const V2 = `name: rt
services:
  a:
    image: busybox
    networks:
      default: null
      back: null
    ports:
      - mode: ingress
        host_ip: 127.0.0.1
        target: 3306
        published: "3306"
        protocol: tcp
networks:
  back:
    name: rt_back
  default:
    name: rt_default
  outside:
    external: true
    name: outside
`;

type Config = {
  services: Record<string, { ports?: string[]; labels?: Record<string, string> | string[]; command?: string[]; build?: unknown; image?: string }>;
  networks?: Record<string, { labels?: Record<string, string> }>;
  volumes?: Record<string, { labels?: Record<string, string> }>;
};
const read = (text: string) => parse(text) as Config;

describe('rewriteResolvedConfig', () => {
  it('leaves host ports to the engine, container ports, addresses and protocols kept', () => {
    const out = read(rewriteResolvedConfig(V1, { ephemeralPorts: true, labels: {} }));
    expect(out.services.a.ports).toEqual(['80/tcp', '127.0.0.1::3306/tcp', '9000/udp', '9001/udp']);
    expect(read(rewriteResolvedConfig(V2, { ephemeralPorts: true, labels: {} })).services.a.ports).toEqual(['127.0.0.1::3306/tcp']);
  });

  it('keeps compose’s $$ escapes, so the file reads back as it was', () => {
    const text = rewriteResolvedConfig(V1, { ephemeralPorts: true, labels: {} });
    expect(text).toContain('echo $$HOME x');
  });

  it('labels every service in either form, and the networks and volumes compose creates, not external ones', () => {
    const labels = { 'ephemeral-compose.deployed': 'p', 'ephemeral-compose.pr': '7' };
    const v1 = read(rewriteResolvedConfig(V1, { ephemeralPorts: false, labels }));
    expect(v1.services.a.labels).toEqual({ one: '1', ...labels });
    expect(v1.services.b.labels).toEqual(['two=2', 'ephemeral-compose.deployed=p', 'ephemeral-compose.pr=7']);
    expect(v1.services.a.ports).toEqual([{ published: 8080, target: 80 }, '127.0.0.1:3306:3306/tcp', '9000-9001:9000-9001/udp']);
    // v1 leaves the default network implicit: named so that it is labelled too.
    expect(v1.networks?.default.labels).toEqual(labels);
    expect(v1.volumes?.data.labels).toEqual(labels);
    expect(v1.volumes?.shared.labels).toBeUndefined();
    const v2 = read(rewriteResolvedConfig(V2, { ephemeralPorts: false, labels }));
    expect(v2.networks?.back.labels).toEqual(labels);
    expect(v2.networks?.default.labels).toEqual(labels);
    expect(v2.networks?.outside.labels).toBeUndefined();
  });

  it('writes an IPv6 address in brackets', () => {
    expect(portWithoutHostPort({ target: 80, protocol: 'tcp', hostIp: '::1' })).toBe('[::1]::80/tcp');
  });

  it('refuses text that is not a configuration', () => {
    expect(() => rewriteResolvedConfig('services: [', { ephemeralPorts: true, labels: {} })).toThrow('could not read the resolved compose configuration');
    expect(() => rewriteResolvedConfig('x: 1', { ephemeralPorts: true, labels: {} })).toThrow('has no services');
  });

  it("adds the build cache's entries to services that build, after the file's own, without repeating one", () => {
    const built = `services:
  app:
    build:
      context: /w/app
      dockerfile: Dockerfile
      cache_from:
      - type=registry,ref=own/cache
      - type=local,src=/c/app
  db:
    image: mysql
`;
    const out = read(
      rewriteResolvedConfig(built, { ephemeralPorts: false, labels: {}, buildCache: (s) => ({ from: [`type=local,src=/c/${s}`], to: [`type=local,dest=/c/${s}.next`] }) }),
    );
    expect(out.services.app.build).toEqual({
      context: '/w/app',
      dockerfile: 'Dockerfile',
      cache_from: ['type=registry,ref=own/cache', 'type=local,src=/c/app'],
      cache_to: ['type=local,dest=/c/app.next'],
    });
    expect(out.services.db).toEqual({ image: 'mysql' });
  });
});
