import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// A Docker Swarm of User-Mode Linux nodes (scripts/swarm-nodes.sh): one manager and workers, each
// its own Engine 28 with the test images, in a network namespace of the test's own. This side
// reaches the nodes' addresses (10.210.<slot>.11 and on) and nothing inside them: their container
// and overlay pools are routed `unreachable` here. The UML kernel has IPVS: the ingress mesh and
// service VIPs work as on any swarm.

/** The script, from the tests' folder or from their compiled copy under build/ (the benches'). */
const SCRIPT = [path.resolve(__dirname, '..', '..', 'scripts', 'swarm-nodes.sh'), path.resolve(__dirname, '..', '..', '..', 'scripts', 'swarm-nodes.sh')].find((f) =>
  fs.existsSync(f),
) as string;

export interface SwarmBed {
  /** DOCKER_HOST of the manager (node1). */
  dockerHost: string;
  /** The nodes' addresses, node1 (the manager) first. */
  nodes: string[];
  /** The manager's address: where ingress-published ports answer from this side. */
  manager: string;
  /** The docker CLI against the manager. */
  docker(...args: string[]): string;
  /** The docker CLI against node `n` (1-based). */
  dockerOn(n: number, ...args: string[]): string;
  stop(): void;
}

/**
 * Boots `count` nodes and makes them a swarm. `slot` keeps beds of concurrent workers apart
 * (their addresses and namespaces). The kernel and the base disk are built once per machine by
 * scripts/test-e2e.sh before the tests begin.
 */
export function startSwarm(id: string, slot: number, count = 3): SwarmBed {
  const run = (...args: string[]) => execFileSync('bash', [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 }).trim();
  const stop = () => {
    try {
      run('down', id, String(slot));
    } catch {
      // Gone already.
    }
  };
  try {
    const nodes = run('up', id, String(count), String(slot)).split('\n').filter(Boolean);
    const dockerHost = run('swarm', id, String(slot), String(count)).split('\n').filter(Boolean).at(-1) as string;
    const cli = (host: string, args: string[]) => execFileSync('docker', ['-H', host, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return {
      dockerHost,
      nodes,
      manager: nodes[0],
      docker: (...args) => cli(dockerHost, args),
      dockerOn: (n, ...args) => cli(`tcp://${nodes[n - 1]}:2375`, args),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}
