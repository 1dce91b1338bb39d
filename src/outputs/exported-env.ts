// Variables for later steps: <PREFIX><SERVICE>_HOST, _PORT (first published port) and _URL.
// The service name is upper-cased with every other character than A-Z and 0-9 turned into '_';
// a name that would start with a digit gets a leading '_'. Names compose and docker read
// themselves (COMPOSE_*, DOCKER_*) are never written: a service called "docker" must not set
// DOCKER_HOST for every later step.

const RESERVED = /^(COMPOSE_|DOCKER_)/;

export function envVariableName(prefix: string, service: string, suffix: string): string {
  const name = `${prefix}${service}_${suffix}`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

export interface EnvCollision {
  /** The shared names, as `MY_DB_*`. */
  name: string;
  /** The service whose value the variable keeps first, then the others that map to the same name. */
  services: string[];
}

/** Where each service is reached: a stack's report on one engine, or on a swarm. */
export interface ReachedServices {
  services: Record<string, { reach?: { host: string; port: number }; url?: string | null }>;
}

export function exportedVariables(report: ReachedServices, prefix: string): { variables: Record<string, string>; skipped: string[]; collisions: EnvCollision[] } {
  const variables: Record<string, string> = {};
  const skipped: string[] = [];
  const owner: Record<string, string> = {};
  const collisions = new Map<string, EnvCollision>();
  for (const [service, s] of Object.entries(report.services)) {
    if (!s.reach || !s.url) continue;
    const values: Record<string, string> = { HOST: s.reach.host, PORT: String(s.reach.port), URL: s.url };
    for (const [suffix, value] of Object.entries(values)) {
      const name = envVariableName(prefix, service, suffix);
      if (RESERVED.test(name)) {
        skipped.push(name);
        continue;
      }
      // `my-db` and `my_db` map to one name: the first keeps it, and the clash is reported once per service pair.
      if (owner[name] !== undefined && owner[name] !== service) {
        const key = `${owner[name]}\0${service}`;
        if (!collisions.has(key)) collisions.set(key, { name: `${name.slice(0, -suffix.length)}*`, services: [owner[name], service] });
        continue;
      }
      owner[name] = service;
      variables[name] = value;
    }
  }
  return { variables, skipped, collisions: [...collisions.values()] };
}
