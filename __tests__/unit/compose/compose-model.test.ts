import { parseResolvedConfig, startsThroughCompose } from '../../../src/compose/compose-model';

// As printed by `docker compose --profile extra config` (Compose 2.40) for the founding example's shape.
const CONFIG = `
name: cm
services:
  app:
    depends_on:
      db:
        condition: service_healthy
        required: true
    image: "y"
    network_mode: service:db
    volumes_from:
      - db:ro
  db:
    environment:
      MYSQL_ROOT_PASSWORD: example
    expose:
      - "9000"
    healthcheck:
      test:
        - CMD
        - "true"
    image: mysql:5.7
    networks:
      default: null
    ports:
      - mode: ingress
        target: 3306
        published: "3306"
        protocol: tcp
      - mode: ingress
        host_ip: 127.0.0.1
        target: 80
        published: "8000"
        protocol: udp
  web:
    profiles:
      - extra
    depends_on:
      db:
        condition: service_started
        required: true
    image: x
    links:
      - db:database
    networks:
      default: null
networks:
  default:
    name: cm_default
`;

describe('parseResolvedConfig', () => {
  const model = parseResolvedConfig(CONFIG);

  it('reads every dependency form', () => {
    expect(model.services.app.dependencies).toEqual([
      { service: 'db', kind: 'depends_on', condition: 'service_healthy', required: true },
      { service: 'db', kind: 'network_mode', required: true },
      { service: 'db', kind: 'volumes_from', required: true },
    ]);
    expect(model.services.web.dependencies.map((d) => d.kind)).toEqual(['depends_on', 'links']);
  });

  it('reads ports, expose, healthcheck and environment', () => {
    expect(model.services.db.ports).toEqual([
      { target: 3306, published: 3306, protocol: 'tcp' },
      { target: 80, published: 8000, hostIp: '127.0.0.1', protocol: 'udp' },
    ]);
    expect(model.services.db.expose).toEqual([9000]);
    expect(model.services.db.healthcheck).toEqual({ disabled: false, test: ['CMD', 'true'] });
    expect(model.services.db.environment).toEqual({ MYSQL_ROOT_PASSWORD: 'example' });
  });

  it('reads list-form environment, labels and v2 post_start hooks', () => {
    const m = parseResolvedConfig(
      `name: p\nservices:\n  a:\n    image: x\n    environment: ["A=1", "B"]\n    labels: ["k=v"]\n    post_start:\n      - command: ["true"]\n    healthcheck:\n      disable: true\n`,
    );
    expect(m.services.a.environment).toEqual({ A: '1' });
    expect(m.services.a.labels).toEqual({ k: 'v' });
    expect(m.services.a.hasHooks).toBe(true);
    expect(parseResolvedConfig('services:\n  a:\n    image: x\n    pre_start:\n      - command: ["true"]\n').services.a.hasHooks).toBe(true);
    expect(m.services.a.healthcheck?.disabled).toBe(true);
  });

  it('starts through compose the services whose start compose does more than the engine', () => {
    const m = parseResolvedConfig(`services:
  a: {image: x, post_start: [{command: ["true"]}]}
  b: {image: x, configs: [inline]}
  c: {image: x, networks: {back: null, front: {aliases: [api]}}}
configs:
  inline: {content: "x=1"}
`);
    expect(['a', 'b', 'c'].filter((s) => startsThroughCompose(m.services[s]))).toEqual(['a', 'b']);
  });

  it('reads replicas, and secrets and configs whose files compose generates', () => {
    const m = parseResolvedConfig(`services:
  a: {image: x, deploy: {replicas: 0}, secrets: [token]}
  b: {image: x, scale: 3, configs: [{source: plain}]}
  c: {image: x, configs: [{source: inline, target: /etc/c}]}
secrets:
  token: {environment: API_TOKEN}
configs:
  plain: {file: ./plain.conf}
  inline: {content: "x=1"}
`);
    expect([m.services.a.replicas, m.services.b.replicas, m.services.c.replicas]).toEqual([0, 3, 1]);
    expect([m.services.a.hasGeneratedFiles, m.services.b.hasGeneratedFiles, m.services.c.hasGeneratedFiles]).toEqual([true, false, true]);
  });

  it('says what is wrong with a configuration it cannot use', () => {
    // No services is for the caller to refuse, pointing at the files.
    expect(parseResolvedConfig('services: {}').services).toEqual({});
    expect(() => parseResolvedConfig('services: [a]')).toThrow('services must be a mapping');
    expect(() => parseResolvedConfig('services:\n  a:\n    ports: ["x:y"]')).toThrow('services.a.ports');
    expect(() => parseResolvedConfig('services: {a: {image: [}')).toThrow('could not read');
  });
});
