import { ContainerFacts } from '../engine/container-facts';
import { OwnSurroundings, ownContainerCandidates, pickOwnContainer } from '../engine/job-container';
import { chooseReachability, engineHostName, InterfaceAddress, Reachability } from '../engine/reachability';
import { ReachForm } from '../outputs/service-report';
import { EngineCalls } from '../engine/engine-calls';

// How this run reaches the stack, chosen once, after create (the project's networks exist then)
// and before anything starts: at container addresses from the engine's host; from a job container
// joined to the project's networks; or through the engine (ports read inside each container).

/** The job container this run attached to the project's networks; post detaches it. */
export interface JoinedNetworks {
  container: string;
  networks: string[];
}

export interface Route {
  reachability: Reachability;
  /** Which form the URLs take: published host ports, or service names on the project's network. */
  form: ReachForm;
  /** The host published ports are reached at, when it is not this machine (a remote engine's). */
  publishedHost?: string;
  joined?: JoinedNetworks;
}

export interface RouteContext {
  dockerHost: string | undefined;
  interfaces: () => Record<string, InterfaceAddress[] | undefined>;
  surroundings: () => OwnSurroundings;
  /** Called before the first network is joined, so a cancel after it still leaves post the record. */
  beforeJoin: (joined: JoinedNetworks) => void;
}

export async function chooseRoute(docker: EngineCalls, projectName: string, ctx: RouteContext): Promise<Route> {
  const direct: Route = { reachability: chooseReachability(ctx.dockerHost, ctx.interfaces), form: 'published' };
  // A remote engine publishes ports on its own host: the URLs name it.
  if (!direct.reachability.engineIsLocal) return { ...direct, publishedHost: engineHostName(ctx.dockerHost) };
  const candidates = ownContainerCandidates(ctx.surroundings());
  if (candidates.length === 0) return direct;
  const known = (await Promise.all(candidates.map((c) => docker.inspect([c]).catch((): ContainerFacts[] => [])))).flat();
  const self = pickOwnContainer(candidates, known);
  // In a container this engine does not run (another engine's, a VM's): its addresses are judged
  // like any others, and ports read inside the containers where they are not reachable.
  if (!self) return direct;
  const { networks } = await docker.projectResources(projectName);
  const toJoin = networks.filter((n) => !self.networks.includes(n));
  const joined = { container: self.id, networks: toJoin };
  ctx.beforeJoin(joined);
  for (const network of toJoin) await docker.networkConnect(network, self.id);
  const on = networks.length > 0 ? networks.join(', ') : 'no network of the project';
  return {
    reachability: { ...direct.reachability, description: `Reaching services: job container ${self.name} (${self.id.slice(0, 12)}) joined to ${on}; URLs name the services` },
    form: 'network',
    joined,
  };
}

/** Detaches the job container again, before the networks are removed (an attached one cannot be). */
export async function leaveNetworks(docker: EngineCalls, joined: JoinedNetworks, warn: (line: string) => void): Promise<void> {
  for (const network of joined.networks) {
    await docker.networkDisconnect(network, joined.container).catch((e: Error) => {
      // Gone already (removed by someone else, or never joined before a cancel): nothing to undo.
      if (!/not found|is not connected/i.test(e.message)) warn(`Could not detach the job container from network ${network}: ${e.message.split('\n')[0]}`);
    });
  }
}
