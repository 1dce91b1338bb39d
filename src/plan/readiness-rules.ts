import { ComposeModel } from '../compose/compose-model';
import { ContainerFacts } from '../engine/container-facts';
import { Probe, WaitRule } from './wait-for';

// Which probe decides that a service is ready, when the user has not said: its healthcheck, else
// its TCP ports (checked at the container), else that it runs and stays up.

/** The TCP ports a service's compose definition declares (`ports` targets and `expose`). */
export function declaredTcpPorts(model: ComposeModel, service: string): number[] {
  const svc = model.services[service];
  const ports = new Set<number>(svc.expose);
  for (const p of svc.ports) if (p.protocol === 'tcp') ports.add(p.target);
  return [...ports].sort((a, b) => a - b);
}

/**
 * Every port the compose file declares must accept. Ports only the image EXPOSEs are a list of
 * what the program may open (RabbitMQ's image lists 5671 and 15691, ZooKeeper's 2888 and 3888,
 * which a default setup never opens), so one of them accepting is enough.
 */
export function defaultProbe(facts: ContainerFacts, declared: number[] = []): Probe {
  if (facts.hasHealthcheck) return { kind: 'healthy', active: true };
  const ports = new Set<number>(declared);
  for (const b of facts.bindings) if (b.protocol === 'tcp') ports.add(b.target);
  const imageOnly = facts.exposedTcpPorts.filter((p) => !ports.has(p));
  if (ports.size === 0 && imageOnly.length === 0) return { kind: 'running' };
  const probe: Probe = { kind: 'tcp', ports: [...ports].sort((a, b) => a - b) };
  if (imageOnly.length > 0) probe.anyOf = imageOnly;
  return probe;
}

export function probeFor(facts: ContainerFacts, rule: WaitRule | undefined, declared: number[] = []): Probe {
  return rule?.probe ?? defaultProbe(facts, declared);
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

/**
 * Whether a container that has exited with `exitCode` before it was ready counts as done.
 * `required` is true when the probe was asked for (a `wait-for` line, or a dependent's
 * `condition: service_healthy`), not inferred from the image. `declaresPorts`: the compose file
 * gives the service `ports` or `expose`, a promise that it serves them, which an exit breaks
 * whatever its code (a dependent's `service_completed_successfully` turns the probe into `exit`).
 */
export function exitCompletes(probe: Probe, exitCode: number, required = false, declaresPorts = false): boolean {
  switch (probe.kind) {
    case 'exit':
      return exitCode === probe.code;
    case 'running':
    case 'none':
      return exitCode === 0;
    case 'healthy':
      // Health that was asked for is not shown by exiting, whatever the code (compose agrees).
      return !required && !declaresPorts && exitCode === 0;
    case 'tcp':
      // A one-shot job built on a server image (a migration using the app image) has a
      // healthcheck or EXPOSE it never meant to use; exiting 0 is how it finishes.
      return !declaresPorts && exitCode === 0;
    default:
      return false; // a probe the user asked for explicitly must be met
  }
}

/** Said of a service with declared ports whose main process exited 0 before they accepted. */
export const DAEMONIZED_HINT =
  'its main process exited 0 before its ports opened, which is what a server that daemonizes (forks into the background) does: run it in the foreground ' +
  "(nginx -g 'daemon off;', redis-server --daemonize no, apachectl -D FOREGROUND); if it is a job meant to finish, give a dependent depends_on: condition: service_completed_successfully on it, or a wait-for line 'exit'";

/**
 * What the compose file's own `depends_on` conditions ask of a service before its dependents
 * start: completion (exit 0) for `service_completed_successfully`, health for `service_healthy`.
 * Without this a one-shot init job would count as ready once running. The user's `wait-for`
 * lines win over these.
 */
export function rulesFromConditions(model: ComposeModel, services: string[], userRules: Record<string, WaitRule>): Record<string, WaitRule> {
  const implied: Record<string, WaitRule> = {};
  for (const name of services) {
    for (const dep of model.services[name].dependencies) {
      if (dep.kind !== 'depends_on' || !services.includes(dep.service)) continue;
      if (dep.condition === 'service_completed_successfully') implied[dep.service] = { probe: { kind: 'exit', code: 0 } };
      else if (dep.condition === 'service_healthy' && implied[dep.service]?.probe.kind !== 'exit') implied[dep.service] = { probe: { kind: 'healthy', active: true } };
    }
  }
  return { ...implied, ...userRules };
}
