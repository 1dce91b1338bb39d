import { StartPlan } from '../plan/dependency-graph';
import { WaitRule } from '../plan/wait-for';

// What the scheduler is told about the stack it starts (see stack-starter).

export interface StartOptions {
  plan: StartPlan;
  containers: Record<string, string[]>;
  rules: Record<string, WaitRule>;
  /** TCP ports each service's compose definition declares; the image's own EXPOSE list is judged apart. */
  declaredPorts?: Record<string, number[]>;
  timeoutMs: number;
  composeStarted: Set<string>;
  /**
   * Services whose host ports come from a declared range: their containers start one at a time,
   * after the rest of the batch, as compose does (concurrent starts race in the engine's choice).
   */
  startAlone?: Set<string>;
  /**
   * Whether this machine can reach an address itself (it lies on a network of one of its
   * interfaces). Ports of a container it cannot reach are read inside the container instead.
   */
  reachable?: (address: string) => boolean;
  /**
   * Where published ports are reached from here: the engine's host. Used when a container's
   * address cannot be reached and its ports cannot be read inside it (an image without cat or sh).
   */
  publishedHost?: string;
  /** Services scaled to 0: nothing to start or wait for; their dependents go ahead. */
  scaledToZero?: Set<string>;
  /**
   * Services whose containers are still being created (their images arriving): each resolves with
   * the ids of the containers created with it, by service; `describe` says what one waits for.
   */
  later?: { containersOf(service: string): Promise<Record<string, string[]>> | undefined; describe(service: string): string | undefined };
  logLines: number;
  signal: AbortSignal;
  log: (line: string) => void;
}
