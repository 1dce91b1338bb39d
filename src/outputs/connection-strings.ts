import { formatHost } from './urls';

// Connection strings with credentials for well-known databases and brokers, recognised by the
// container port and the service's own environment variables, whatever its image is called.

export interface Credentials {
  /** The URL, e.g. mysql://root:example@localhost:32768/airflow. */
  url: string;
  /** Passwords that must be masked wherever the URL is shown (raw; the URL holds them encoded). */
  secrets: string[];
}

type Env = Record<string, string>;

const enc = encodeURIComponent;

function first(env: Env, ...names: string[]): string | undefined {
  for (const n of names) if (env[n] !== undefined && env[n] !== '') return env[n];
  return undefined;
}

function withAuth(scheme: string, user: string | undefined, password: string | undefined, host: string, port: number, path: string): Credentials {
  const auth = user !== undefined || password !== undefined ? `${user !== undefined ? enc(user) : ''}${password !== undefined ? `:${enc(password)}` : ''}@` : '';
  const secrets = password !== undefined ? [password] : [];
  return { url: `${scheme}://${auth}${formatHost(host)}:${port}${path}`, secrets };
}

function mysql(env: Env, host: string, port: number): Credentials | undefined {
  const user = first(env, 'MYSQL_USER', 'MARIADB_USER');
  const userPassword = first(env, 'MYSQL_PASSWORD', 'MARIADB_PASSWORD');
  const rootPassword = first(env, 'MYSQL_ROOT_PASSWORD', 'MARIADB_ROOT_PASSWORD');
  const emptyRoot = first(env, 'MYSQL_ALLOW_EMPTY_PASSWORD', 'MARIADB_ALLOW_EMPTY_ROOT_PASSWORD', 'MARIADB_ALLOW_EMPTY_PASSWORD');
  const database = first(env, 'MYSQL_DATABASE', 'MARIADB_DATABASE');
  const path = database ? `/${enc(database)}` : '';
  // The application user when the stack defines one (what the app itself uses), else root.
  if (user && userPassword) return withAuth('mysql', user, userPassword, host, port, path);
  if (rootPassword) return withAuth('mysql', 'root', rootPassword, host, port, path);
  if (emptyRoot) return withAuth('mysql', 'root', undefined, host, port, path);
  return undefined;
}

function postgres(env: Env, host: string, port: number): Credentials | undefined {
  const password = first(env, 'POSTGRES_PASSWORD');
  const trust = first(env, 'POSTGRES_HOST_AUTH_METHOD') === 'trust';
  if (!password && !trust) return undefined;
  const user = first(env, 'POSTGRES_USER') ?? 'postgres';
  const database = first(env, 'POSTGRES_DB') ?? user;
  return withAuth('postgres', user, password, host, port, `/${enc(database)}`);
}

function redis(env: Env, host: string, port: number): Credentials | undefined {
  const password = first(env, 'REDIS_PASSWORD');
  return password ? withAuth('redis', '', password, host, port, '') : undefined;
}

function rabbitmq(env: Env, host: string, port: number): Credentials | undefined {
  const user = first(env, 'RABBITMQ_DEFAULT_USER');
  const password = first(env, 'RABBITMQ_DEFAULT_PASS');
  if (!user || !password) return undefined;
  const vhost = first(env, 'RABBITMQ_DEFAULT_VHOST');
  return withAuth('amqp', user, password, host, port, vhost ? `/${enc(vhost)}` : '');
}

function mongodb(env: Env, host: string, port: number): Credentials | undefined {
  const user = first(env, 'MONGO_INITDB_ROOT_USERNAME');
  const password = first(env, 'MONGO_INITDB_ROOT_PASSWORD');
  if (!user || !password) return undefined;
  const database = first(env, 'MONGO_INITDB_DATABASE');
  // Root users live in the admin database.
  return withAuth('mongodb', user, password, host, port, `/${database ? enc(database) : ''}?authSource=admin`);
}

const BY_PORT: Record<number, (env: Env, host: string, port: number) => Credentials | undefined> = {
  3306: mysql,
  5432: postgres,
  6379: redis,
  5672: rabbitmq,
  27017: mongodb,
};

/** A connection string for `containerPort` published at `host:published`, when one is known. */
export function connectionString(containerPort: number, env: Env, host: string, published: number): Credentials | undefined {
  return BY_PORT[containerPort]?.(env, host, published);
}
