import { ContainerFacts } from './container-facts';
import { Probe, WaitRule } from './wait-for';

// Which probe decides that a service is ready, when the user has not said: its healthcheck, else
// every TCP port it publishes or exposes (checked at the container), else that it runs.

export function defaultProbe(facts: ContainerFacts): Probe {
  if (facts.hasHealthcheck) return { kind: 'healthy', active: true };
  const ports = new Set<number>(facts.exposedTcpPorts);
  for (const b of facts.bindings) if (b.protocol === 'tcp') ports.add(b.target);
  if (ports.size > 0) return { kind: 'tcp', ports: [...ports].sort((a, b) => a - b) };
  return { kind: 'running' };
}

export function probeFor(facts: ContainerFacts, rule: WaitRule | undefined): Probe {
  return rule?.probe ?? defaultProbe(facts);
}

/**
 * Where to reach a container's port from the runner: its address on its network (the host port
 * goes through Docker's userland proxy, which accepts before anything listens), or loopback for
 * host networking.
 */
export function probeAddress(facts: ContainerFacts, shared?: ContainerFacts): string | undefined {
  if (facts.networkMode === 'host') return '127.0.0.1';
  if (facts.ipAddresses.length > 0) return facts.ipAddresses[0];
  if (shared) return probeAddress(shared);
  return undefined;
}

/** Whether a container that has exited with `exitCode` before it was ready counts as done. */
export function exitCompletes(probe: Probe, exitCode: number): boolean {
  switch (probe.kind) {
    case 'exit':
      return exitCode === probe.code;
    case 'running':
    case 'none':
      return exitCode === 0;
    case 'healthy':
    case 'tcp':
      // A one-shot job built on a server image (a migration using the app image) has a
      // healthcheck or EXPOSE it never meant to use; exiting 0 is how it finishes.
      return exitCode === 0;
    default:
      return false; // a probe the user asked for explicitly must be met
  }
}
