import { connectionString } from '../../../src/outputs/connection-strings';
import { envVariableName, exportedVariables } from '../../../src/outputs/exported-env';
import { expandUrlTemplate } from '../../../src/outputs/url-template';
import { buildReport } from '../../../src/outputs/service-report';
import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { parseInspect } from '../../../src/engine/container-facts';
import { PublishedPort } from '../../../src/outputs/urls';

describe('connection strings by port and environment', () => {
  it.each([
    // The founding example's db.
    [3306, { MYSQL_ROOT_PASSWORD: 'example', MYSQL_DATABASE: 'airflow' }, 'mysql://root:example@localhost:32768/airflow'],
    [3306, { MYSQL_ROOT_PASSWORD: 'r', MYSQL_USER: 'app', MYSQL_PASSWORD: 'p@ss/w:rd', MYSQL_DATABASE: 'd' }, 'mysql://app:p%40ss%2Fw%3Ard@localhost:32768/d'],
    [3306, { MARIADB_ROOT_PASSWORD: 'm' }, 'mysql://root:m@localhost:32768'],
    [3306, { MYSQL_ALLOW_EMPTY_PASSWORD: 'yes' }, 'mysql://root@localhost:32768'],
    [5432, { POSTGRES_PASSWORD: 'pw' }, 'postgres://postgres:pw@localhost:32768/postgres'],
    [5432, { POSTGRES_USER: 'u', POSTGRES_PASSWORD: 'pw', POSTGRES_DB: 'app' }, 'postgres://u:pw@localhost:32768/app'],
    [5432, { POSTGRES_HOST_AUTH_METHOD: 'trust', POSTGRES_USER: 'u' }, 'postgres://u@localhost:32768/u'],
    [6379, { REDIS_PASSWORD: 'r3d' }, 'redis://:r3d@localhost:32768'],
    [5672, { RABBITMQ_DEFAULT_USER: 'u', RABBITMQ_DEFAULT_PASS: 'p', RABBITMQ_DEFAULT_VHOST: 'v' }, 'amqp://u:p@localhost:32768/v'],
    [27017, { MONGO_INITDB_ROOT_USERNAME: 'u', MONGO_INITDB_ROOT_PASSWORD: 'p' }, 'mongodb://u:p@localhost:32768/?authSource=admin'],
  ])('port %i with %j', (port, env, url) => {
    expect(connectionString(port, env as Record<string, string>, 'localhost', 32768)?.url).toBe(url);
  });

  it('gives nothing without credentials, and brackets IPv6 hosts', () => {
    expect(connectionString(5432, {}, 'localhost', 1)).toBeUndefined();
    expect(connectionString(6379, {}, 'localhost', 1)).toBeUndefined();
    expect(connectionString(8080, { MYSQL_ROOT_PASSWORD: 'x' }, 'localhost', 1)).toBeUndefined();
    expect(connectionString(5432, { POSTGRES_PASSWORD: 'x' }, '::1', 5)?.url).toBe('postgres://postgres:x@[::1]:5/postgres');
  });

  it('names the password to mask, raw (the URL holds it encoded)', () => {
    expect(connectionString(3306, { MYSQL_ROOT_PASSWORD: 'a b c' }, 'h', 1)).toEqual({ url: 'mysql://root:a%20b%20c@h:1', secrets: ['a b c'] });
  });
});

describe('the ephemeral-compose.url label', () => {
  const ports: PublishedPort[] = [
    { target: 8080, published: 40000, protocol: 'tcp', hostIp: '0.0.0.0', host: 'localhost' },
    { target: 9000, published: 40001, protocol: 'tcp', hostIp: '127.0.0.1', host: '127.0.0.1' },
  ];
  it('fills {host}, {port} and {port:N}', () => {
    expect(expandUrlTemplate('http://{host}:{port:9000}/admin', ports, (p) => p.host, 'web')).toBe('http://127.0.0.1:40001/admin');
    expect(expandUrlTemplate('grpc://{host}:{port}', ports, (p) => p.host, 'web')).toBe('grpc://localhost:40000');
  });
  it('says what is wrong with a template', () => {
    expect(() => expandUrlTemplate('http://{host}:{port:1}', ports, (p) => p.host, 'web')).toThrow("service 'web' refers to container port 1, which is not published");
    expect(() => expandUrlTemplate('http://{hots}:{port}', ports, (p) => p.host, 'web')).toThrow('unknown field {hots}');
  });
  it('overrides the port URL in the report', () => {
    const model = parseResolvedConfig('services:\n  web:\n    image: x\n    labels: {"ephemeral-compose.url": "http://{host}:{port:8080}/ui"}\n');
    const c = parseInspect({ Id: 'i', Config: { Labels: {} }, State: {}, NetworkSettings: { Ports: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '40000' }] } } });
    const report = buildReport(model, { web: { name: 'web', status: 'ready', containers: [c] } }, 'ci.host');
    expect(report.urls.web).toBe('http://ci.host:40000/ui');
  });
});

describe('exported variables', () => {
  it('follows the naming rule', () => {
    expect(envVariableName('', 'my-db.1', 'URL')).toBe('MY_DB_1_URL');
    expect(envVariableName('', '1db', 'HOST')).toBe('_1DB_HOST');
    expect(envVariableName('stack_', 'db', 'PORT')).toBe('STACK_DB_PORT');
  });
  it('exports HOST, PORT and URL per service with a published port, never COMPOSE_* or DOCKER_*', () => {
    const model = parseResolvedConfig('services:\n  db: {image: x, environment: {MYSQL_ROOT_PASSWORD: pw}}\n  docker: {image: x}\n  job: {image: x}\n');
    const facts = (port: string) =>
      parseInspect({ Id: port, Config: { Labels: {} }, State: {}, NetworkSettings: { Ports: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '40000' }] } } });
    const report = buildReport(
      model,
      {
        db: { name: 'db', status: 'ready', containers: [facts('3306')] },
        docker: { name: 'docker', status: 'ready', containers: [facts('2375')] },
        job: { name: 'job', status: 'completed', containers: [] },
      },
      'localhost',
    );
    const { variables, skipped } = exportedVariables(report, '');
    expect(variables).toEqual({ DB_HOST: '127.0.0.1', DB_PORT: '40000', DB_URL: 'mysql://root:pw@127.0.0.1:40000' });
    expect(skipped).toEqual(['DOCKER_HOST', 'DOCKER_PORT', 'DOCKER_URL']);
    expect(report.secrets).toEqual(['pw']);
    expect(exportedVariables(report, 'APP_').variables).toHaveProperty('APP_DOCKER_HOST', '127.0.0.1');
  });

  it('reports services whose names map to the same variables, and keeps the first', () => {
    const model = parseResolvedConfig('services:\n  my-db: {image: x}\n  my_db: {image: x}\n  other: {image: x}\n');
    const facts = (id: string, hostPort: string) =>
      parseInspect({ Id: id, Config: { Labels: {} }, State: {}, NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: hostPort }] } } });
    const report = buildReport(
      model,
      {
        'my-db': { name: 'my-db', status: 'ready', containers: [facts('a', '40001')] },
        my_db: { name: 'my_db', status: 'ready', containers: [facts('b', '40002')] },
        other: { name: 'other', status: 'ready', containers: [facts('c', '40003')] },
      },
      'localhost',
    );
    const { variables, collisions } = exportedVariables(report, '');
    expect(collisions).toEqual([{ name: 'MY_DB_*', services: ['my-db', 'my_db'] }]);
    expect(variables.MY_DB_PORT).toBe('40001');
    expect(variables.OTHER_PORT).toBe('40003');
  });
});
