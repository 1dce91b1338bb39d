import { startsThroughCompose } from '../compose/compose-model';
import { DockerClient } from '../engine/docker';
import { NetworkProbe } from '../engine/network-probe';
import { Reachability } from '../engine/reachability';
import { declaredTcpPorts, rulesFromConditions } from '../plan/readiness-rules';
import { WaitRule } from '../plan/wait-for';
import { Outcomes } from '../readiness/outcomes';
import { StackEngine } from '../readiness/stack-engine';
import { StackStarter } from '../readiness/stack-starter';
import { WatchedContainer } from './exits-after-main';
import { CreatedStack } from './create';
import { PreparedStack } from './prepare';
import { EngineCalls } from '../engine/engine-calls';

// Starting a created stack in dependency order and waiting until it is ready: the scheduler, fed
// from the resolved model and the created containers.

export interface StartSettings {
  timeoutSeconds: number;
  waitFor: Record<string, WaitRule>;
  /** Log lines in a failure message. */
  logLines: number;
  reachability: Reachability;
  /** Where published ports are reached from here, when not at 127.0.0.1 (a remote engine's host). */
  publishedHost?: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

export async function startStack(docker: DockerClient, network: NetworkProbe, stack: PreparedStack, created: CreatedStack, settings: StartSettings): Promise<Outcomes> {
  const { model, plan } = stack;
  // Events from just before the first start; a second's slack for the engine's clock.
  const since = Date.now() / 1000 - 1;
  const starter = new StackStarter(stackEngine(docker, stack, since), network, {
    plan,
    containers: created.containers,
    rules: rulesFromConditions(model, plan.services, settings.waitFor),
    declaredPorts: Object.fromEntries(plan.services.map((s) => [s, declaredTcpPorts(model, s)])),
    scaledToZero: new Set(plan.services.filter((s) => model.services[s].replicas === 0 && !created.containers[s]?.length)),
    // Host ports from a declared range: one container at a time, as compose does.
    startAlone: new Set(plan.services.filter((s) => model.services[s].ports.some((p) => p.fromRange))),
    reachable: (address) => settings.reachability.reachable(address),
    publishedHost: settings.publishedHost,
    timeoutMs: settings.timeoutSeconds * 1000,
    composeStarted: new Set(plan.services.filter((s) => startsThroughCompose(model.services[s]))),
    later: created.arriving?.staged,
    logLines: Math.min(settings.logLines, 50),
    signal: settings.signal,
    log: settings.log,
  });
  return starter.run();
}

/** The containers of services judged ready, with their restart counts now, for post to compare. */
export async function watchedContainers(docker: EngineCalls, outcomes: Outcomes): Promise<WatchedContainer[]> {
  const ready = Object.values(outcomes).filter((o) => o.status === 'ready');
  const ids = ready.flatMap((o) => o.containers.map((c) => c.id));
  const now = new Map((await docker.inspect(ids)).map((f) => [f.id, f.restartCount]));
  return ready.flatMap((o) => o.containers.map((c) => ({ service: o.name, id: c.id, restarts: now.get(c.id) ?? c.restartCount })));
}

function stackEngine(docker: DockerClient, stack: PreparedStack, since: number): StackEngine {
  return {
    inspect: (ids) => docker.inspect(ids),
    start: (ids) => docker.start(ids),
    composeStart: (services) => docker.composeStart(stack.cli, stack.project, services),
    tailLogs: (id, lines) => docker.tailLogs(id, lines),
    exec: (id, command, timeoutMs, signal) => docker.exec(id, command, timeoutMs, signal),
    followLogs: (id, onLine, signal) => docker.followLogs(id, onLine, signal),
    watchEvents: (onEvent, signal) => docker.watchEvents(stack.project.name, since, onEvent, signal),
  };
}
