import { parse } from 'yaml';

interface StackDoc {
  version: string;
  services: Record<string, unknown>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}
const read = (yaml: string) => parse(yaml) as StackDoc;
import { readResolved, stackDocument, swarmRefusals } from '../../../src/compose/stack-file';

// Compose's resolved configuration rewritten for `docker stack deploy` (the CLI's 3.x loader). The
// e2e Swarm tests give the result to the real CLI (`docker stack config`, then a deploy).

const resolved = readResolved(`
name: shop
services:
  db:
    image: mysql:8
    container_name: shop-db
    restart: always
    entrypoint: null
    healthcheck: {test: [CMD, true], interval: 1s, start_interval: 1s}
    networks: {default: null}
    ports:
      - {mode: ingress, target: 3306, published: "13306", protocol: tcp, host_ip: 127.0.0.1}
      - {mode: ingress, target: 33060, protocol: tcp}
    volumes:
      - {type: bind, source: /srv/db, target: /var/lib/mysql, bind: {create_host_path: true}}
  migrate:
    image: shop-migrate
    depends_on: {db: {condition: service_healthy, required: true}}
    deploy: {replicas: 1}
  web:
    build: {context: ./web}
    image: ghcr.io/acme/web:2
    depends_on: {migrate: {condition: service_completed_successfully, required: true}}
networks:
  default: {name: shop_default, ipam: {}}
  outside: {name: corp-net, external: true}
volumes:
  data: {name: shop_data}
`);

describe('the stack file for Swarm', () => {
  it('keeps what Swarm applies, names what it leaves out, and runs one-shots as jobs that never restart', () => {
    const { yaml, leftOut } = stackDocument(resolved, 'shop', ['db', 'migrate', 'web'], new Set(['migrate']));
    const doc = read(yaml);
    expect(doc.version).toBe('3.8');
    expect(doc.services.db).toEqual({
      image: 'mysql:8',
      healthcheck: { test: ['CMD', true], interval: '1s' },
      networks: { default: null },
      ports: [
        { mode: 'ingress', target: 3306, published: 13306, protocol: 'tcp' },
        { mode: 'ingress', target: 33060, protocol: 'tcp' },
      ],
      volumes: [{ type: 'bind', source: '/srv/db', target: '/var/lib/mysql' }],
    });
    // depends_on is the action's to carry out: not in the file, and not reported as left out.
    expect(doc.services.migrate).toEqual({ image: 'shop-migrate', deploy: { replicas: 1, mode: 'replicated-job', restart_policy: { condition: 'none' } } });
    expect(doc.services.web).toEqual({ image: 'ghcr.io/acme/web:2' });
    // Names that are the stack's own defaults are left to Swarm; others stay.
    expect(doc.networks).toEqual({ default: {}, outside: { name: 'corp-net', external: true } });
    expect(doc.volumes).toEqual({ data: {} });
    expect(leftOut).toEqual([
      "service db: container_name (Swarm names the tasks itself), restart (Swarm restarts tasks by deploy.restart_policy; set that instead), ports: host_ip (Swarm publishes on every address), healthcheck: start_interval (the stack format has no start_interval; the healthcheck's interval applies from the start)",
      'service web: build (Swarm builds nothing: the image must already be in a registry or on every node)',
    ]);
  });

  it('holds only the services of the levels deployed so far', () => {
    const doc = read(stackDocument(resolved, 'shop', ['db'], new Set()).yaml);
    expect(Object.keys(doc.services)).toEqual(['db']);
  });

  it('refuses what Swarm cannot run: a build without an image, network_mode, configs and secrets that are not files', () => {
    const config = readResolved(`
services:
  app: {build: {context: .}}
  side: {image: busybox, network_mode: "service:app"}
  ok: {image: busybox}
configs:
  inline: {content: "x=1"}
  onfile: {file: ./x.conf}
secrets:
  token: {environment: TOKEN}
`);
    expect(swarmRefusals(config, ['app', 'side', 'ok'])).toEqual([
      'service app has a build: section and no image: Swarm builds nothing; build and push the image first and name it in image:',
      'service side has network_mode: service:app: Swarm gives each task a network of its own; attach it to a network of the stack instead',
      'config inline comes from content:, which Swarm cannot read; use file: or an external one',
      'secret token comes from environment:, which Swarm cannot read; use file: or an external one',
    ]);
    expect(swarmRefusals(config, ['ok'])).toEqual([
      'config inline comes from content:, which Swarm cannot read; use file: or an external one',
      'secret token comes from environment:, which Swarm cannot read; use file: or an external one',
    ]);
  });
});
