import * as fs from 'fs';
import * as path from 'path';
import { ComposeModel } from '../compose/compose-model';
import { readResolved, stackDocument, swarmRefusals } from '../compose/stack-file';
import { NetworkProbe } from '../engine/network-probe';
import { PublishedPort, SwarmCalls, SwarmService, SwarmTask } from '../engine/swarm';
import { StartPlan } from '../plan/dependency-graph';
import { RUNNING_SETTLE_MS, WaitRule } from '../plan/wait-for';
import { rulesFromConditions } from '../plan/readiness-rules';
import { formatHost, schemeForPort } from '../outputs/urls';
import { judgeTasks } from '../readiness/swarm-verdict';

// A stack on Swarm, in dependency order: `docker stack deploy` knows no order (it ignores
// depends_on), so the action deploys the stack level by level — each deploy a file of that level's
// services only (with the stack's networks, volumes, configs, secrets): without --prune the levels
// before stay as they are, and a job that completed is never updated, which would run it again —
// and deploys the next level only once every service of this one is ready. Dependents are thus
// created only when what they need answers, and never crash-loop into a restart policy.
// (Deploying everything with later levels at 0 replicas and scaling them up would change each
// service's spec after the deploy, so a redeploy of the same files would update every dependent
// again.)
// A redeploy (a preview's next push) converges in place the same way: a service whose task spec
// did not change keeps its tasks and counts as ready on them; one whose spec changed (its tasks are
// replaced) and a job (every update runs it again) count only on the tasks of this deploy.

export interface SwarmUpLog {
  info(line: string): void;
  warning(line: string): void;
}

export interface SwarmUpSettings {
  stack: string;
  model: ComposeModel;
  plan: StartPlan;
  configYaml: string;
  waitFor: Record<string, WaitRule>;
  timeoutSeconds: number;
  /** Where published ports are reached: the `url-host` input, else the manager's host. */
  host: string;
  /** Where the stack file is written (RUNNER_TEMP). */
  directory: string;
  signal: AbortSignal;
  /** Labels on every service (a preview's). */
  labels?: Record<string, string>;
  /** `ports: ephemeral`: Swarm picks the published ports. */
  ephemeralPorts?: boolean;
  /** A redeploy: services of the stack that are no longer in the files are removed first. */
  removeOrphans?: boolean;
}

/** How a service is judged on Swarm, from its wait-for rule, its depends_on conditions and its file. */
export type SwarmCheck =
  | { kind: 'tasks'; how: 'healthy' }
  | { kind: 'job' }
  | { kind: 'published'; ports: number[] }
  | { kind: 'http'; port: number; path: string; scheme: 'http' | 'https'; status?: number }
  | { kind: 'log'; pattern: RegExp }
  | { kind: 'running'; settleMs: number }
  | { kind: 'none' };

export interface SwarmServiceReport {
  state: 'ready';
  readiness: string;
  readySeconds: number;
  nodes: string[];
  ports: (PublishedPort & { host: string; url?: string })[];
  url?: string;
}

export class SwarmStartError extends Error {}

const POLL_MS = 500;

/**
 * How each service is judged, or why the stack cannot be judged on Swarm: a port the action must
 * check has to be published (the runner never probes overlay addresses), and health needs a
 * healthcheck.
 */
export function swarmChecks(model: ComposeModel, plan: StartPlan, waitFor: Record<string, WaitRule>): Record<string, SwarmCheck> {
  const rules = rulesFromConditions(model, plan.services, waitFor);
  const checks: Record<string, SwarmCheck> = {};
  const problems: string[] = [];
  for (const name of plan.services) {
    const svc = model.services[name];
    const hasHealthcheck = svc.healthcheck !== undefined && !svc.healthcheck.disabled;
    const published = svc.ports.filter((p) => p.protocol === 'tcp').map((p) => p.target);
    const probe = rules[name]?.probe;
    const needPublished = (ports: number[]) => {
      const missing = ports.filter((p) => !published.includes(p));
      if (missing.length > 0)
        problems.push(
          `service ${name}: port ${missing.join(', ')} is not published; on Swarm the action checks a port through its published port (it never connects to overlay addresses), so publish it or give the service a healthcheck`,
        );
    };
    if (!probe) {
      if (hasHealthcheck) checks[name] = { kind: 'tasks', how: 'healthy' };
      else if (published.length > 0) checks[name] = { kind: 'published', ports: published };
      else checks[name] = { kind: 'running', settleMs: RUNNING_SETTLE_MS };
      continue;
    }
    switch (probe.kind) {
      case 'healthy':
        if (!hasHealthcheck) problems.push(`service ${name} must be healthy but has no healthcheck`);
        checks[name] = { kind: 'tasks', how: 'healthy' };
        break;
      case 'exit':
        if (probe.code !== 0) problems.push(`service ${name}: on Swarm a one-shot's only verdict is its task's, complete on exit 0; exit:${probe.code} cannot be judged`);
        checks[name] = { kind: 'job' };
        break;
      case 'tcp':
        needPublished(probe.ports);
        checks[name] = { kind: 'published', ports: probe.ports.length > 0 ? probe.ports : published };
        break;
      case 'http':
        needPublished([probe.port]);
        checks[name] = { kind: 'http', port: probe.port, path: probe.path, scheme: probe.scheme, status: probe.status };
        break;
      case 'log':
        checks[name] = { kind: 'log', pattern: probe.pattern };
        break;
      case 'running':
        checks[name] = { kind: 'running', settleMs: probe.settleMs ?? RUNNING_SETTLE_MS };
        break;
      case 'none':
        checks[name] = { kind: 'none' };
        break;
    }
  }
  if (problems.length > 0) throw new SwarmStartError(`Cannot judge the stack on Swarm: ${problems.join('; ')}.`);
  return checks;
}

/** Refusals, the file checked by the CLI, then level by level: deploy, wait. Answers each service's report. */
export async function swarmUp(swarm: SwarmCalls, network: NetworkProbe, settings: SwarmUpSettings, log: SwarmUpLog): Promise<Record<string, SwarmServiceReport>> {
  const { stack, plan } = settings;
  const config = readResolved(settings.configYaml);
  const refusals = swarmRefusals(config, plan.services);
  if (refusals.length > 0) throw new SwarmStartError(`The stack cannot go to Swarm as it is: ${refusals.join('; ')}.`);
  const checks = swarmChecks(settings.model, plan, settings.waitFor);
  const jobs = new Set(plan.services.filter((s) => checks[s].kind === 'job'));
  const extras = { labels: settings.labels, ephemeralPorts: settings.ephemeralPorts };
  const file = path.join(settings.directory, `ephemeral-compose-swarm-${stack}.yaml`);
  const whole = stackDocument(config, stack, plan.services, jobs, extras);
  for (const line of whole.leftOut) log.warning(`Left out on Swarm, ${line}`);
  fs.writeFileSync(file, whole.yaml);
  const problem = await swarm.check(file);
  if (problem) throw new SwarmStartError(`The stack file for Swarm is not one 'docker stack deploy' takes: ${problem}`);

  const started = Date.now();
  const deadline = started + settings.timeoutSeconds * 1000;
  if (settings.removeOrphans) await removeOrphans(swarm, settings, log);
  const reports: Record<string, SwarmServiceReport> = {};
  for (const [i, level] of plan.levels.entries()) {
    fs.writeFileSync(file, stackDocument(config, stack, level, jobs, extras).yaml);
    const known = new Set((await swarm.tasks(stack).catch(() => [] as SwarmTask[])).map((t) => t.id));
    const before = await swarm.services(stack);
    log.info(`Level ${i}: deploying ${level.join(', ')} (docker stack deploy ${stack})`);
    await swarm.deploy(stack, file);
    const levelStart = Date.now();
    const fresh = await freshServices(swarm, stack, level, jobs, before, log);
    const ready = await waitForLevel(swarm, network, settings, level, checks, known, fresh, deadline, log, levelStart);
    for (const [service, r] of Object.entries(ready)) reports[service] = { ...r, readySeconds: Math.round((r.readyAt - levelStart) / 100) / 10 };
  }
  log.info(`Stack ${stack} ready on Swarm in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const [service, r] of Object.entries(reports)) if (r.url) log.info(`  ${service}: ${r.url}`);
  return reports;
}

/** Services of the stack that the files no longer have: removed before the deploy, as compose's --remove-orphans. */
async function removeOrphans(swarm: SwarmCalls, settings: SwarmUpSettings, log: SwarmUpLog): Promise<void> {
  const prefix = `${settings.stack}_`;
  const orphans = (await swarm.services(settings.stack)).map((s) => s.name).filter((n) => !(n.slice(prefix.length) in settings.model.services));
  if (orphans.length === 0) return;
  log.info(`Removing ${orphans.map((n) => n.slice(prefix.length)).join(', ')}: no longer in the compose files.`);
  await swarm.removeServices(orphans);
}

/**
 * The services of a level judged on this deploy's tasks only: new ones, jobs, and those whose task
 * spec the deploy changed (Swarm replaces their tasks). The others keep theirs, which count.
 */
async function freshServices(swarm: SwarmCalls, stack: string, level: string[], jobs: ReadonlySet<string>, before: SwarmService[], log: SwarmUpLog): Promise<Set<string>> {
  const was = new Map(before.map((s) => [s.name, s]));
  const existed = level.filter((s) => was.has(`${stack}_${s}`));
  if (existed.length === 0) return new Set(level);
  const now = new Map((await swarm.services(stack)).map((s) => [s.name, s]));
  const fresh = new Set(level.filter((s) => !was.has(`${stack}_${s}`)));
  const kept: string[] = [];
  for (const s of existed) {
    const full = `${stack}_${s}`;
    if (jobs.has(s) || was.get(full)?.taskSpec !== now.get(full)?.taskSpec) fresh.add(s);
    else kept.push(s);
  }
  const replaced = existed.filter((s) => fresh.has(s));
  if (replaced.length > 0) log.info(`  changed, waiting for new tasks: ${replaced.join(', ')}`);
  if (kept.length > 0) log.info(`  unchanged, keeping their tasks: ${kept.join(', ')}`);
  return fresh;
}

type Ready = Omit<SwarmServiceReport, 'readySeconds'> & { readyAt: number };

async function waitForLevel(
  swarm: SwarmCalls,
  network: NetworkProbe,
  settings: SwarmUpSettings,
  level: string[],
  checks: Record<string, SwarmCheck>,
  known: ReadonlySet<string>,
  fresh: ReadonlySet<string>,
  deadline: number,
  log: SwarmUpLog,
  levelStart: number,
): Promise<Record<string, Ready>> {
  const { stack, model } = settings;
  const pending = new Set(level);
  const why = new Map<string, string>();
  const runningSince = new Map<string, number>();
  const ready: Record<string, Ready> = {};
  // A node's address does not change during the wait: asked once per node.
  const addresses = new Map<string, Promise<string | undefined>>();
  const addressOf = (node: string) => {
    let address = addresses.get(node);
    if (!address) addresses.set(node, (address = swarm.nodeAddress(node).catch(() => undefined)));
    return address;
  };
  while (pending.size > 0) {
    if (settings.signal.aborted) throw new SwarmStartError('Cancelled while the stack was deployed to Swarm.');
    const tasks = await swarm.tasks(stack);
    for (const service of [...pending]) {
      const full = `${stack}_${service}`;
      const check = checks[service];
      const verdict = judgeTasks(full, tasks, { replicas: model.services[service].replicas, job: check.kind === 'job', fresh: fresh.has(service) }, known);
      if (verdict.kind === 'failed') throw await serviceFailure(swarm, service, full, verdict.why);
      if (verdict.kind === 'waiting') {
        why.set(service, verdict.why);
        runningSince.delete(service);
        continue;
      }
      // The service's published ports, asked only when a check or the report needs them.
      let reached: Promise<SwarmServiceReport['ports']> | undefined;
      const reach = () => (reached ??= swarm.ports([full]).then((p) => portsFor(p[full] ?? [], verdict.nodes, settings.host, addressOf)));
      const judged = await judgeCheck(check, service, full, reach, network, swarm, runningSince);
      if (typeof judged === 'string' || judged === undefined) {
        why.set(service, judged ?? 'being checked');
        continue;
      }
      pending.delete(service);
      const readyAt = Date.now();
      const ports = await reach();
      ready[service] = { state: 'ready', readiness: judged.how, readyAt, nodes: verdict.nodes, ports, url: ports.find((p) => p.url)?.url };
      log.info(`${service} ready (${judged.how}) on ${verdict.nodes.join(', ') || 'the swarm'} in ${((Date.now() - levelStart) / 1000).toFixed(1)} s`);
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline)
      throw new SwarmStartError(
        `Timed out after ${settings.timeoutSeconds} s waiting for ${[...pending].map((s) => `${s} (${why.get(s) ?? 'deployed, no task yet'})`).join('; ')}.`,
      );
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return ready;
}

/** Published ports with where the runner reaches them: ingress ports at the swarm's host, host-mode ports at a node that runs a task. */
async function portsFor(ports: PublishedPort[], nodes: string[], host: string, addressOf: (node: string) => Promise<string | undefined>): Promise<SwarmServiceReport['ports']> {
  const out: SwarmServiceReport['ports'] = [];
  for (const p of ports) {
    const at = p.mode === 'host' && nodes.length > 0 ? ((await addressOf(nodes[0])) ?? host) : host;
    out.push({ ...p, host: at, url: p.protocol === 'tcp' ? `${schemeForPort(p.target)}://${formatHost(at)}:${p.published}` : undefined });
  }
  return out;
}

/** Answers { how } once the check passed, else why not (a string). */
async function judgeCheck(
  check: SwarmCheck,
  service: string,
  full: string,
  reach: () => Promise<SwarmServiceReport['ports']>,
  network: NetworkProbe,
  swarm: SwarmCalls,
  runningSince: Map<string, number>,
): Promise<{ how: string } | string | undefined> {
  switch (check.kind) {
    case 'tasks':
      return { how: 'healthy' };
    case 'job':
      return { how: 'completed' };
    case 'none':
      return { how: 'deployed' };
    case 'running': {
      const since = runningSince.get(service) ?? Date.now();
      runningSince.set(service, since);
      const left = since + check.settleMs - Date.now();
      return left <= 0 ? { how: 'running' } : `running, ${Math.ceil(left / 1000)} s of its settle window left`;
    }
    case 'published': {
      // Through the mesh (IPVS forwards, it accepts nothing itself) or a host-mode port: a connect
      // is answered by the task's own listener, so it is proof.
      const ports = await reach();
      for (const target of check.ports) {
        const p = ports.find((x) => x.target === target && x.protocol === 'tcp');
        if (!p) return `port ${target} is not published yet`;
        const failed = await network.tcp(p.host, p.published, 1000);
        if (failed) return `port ${target} through ${formatHost(p.host)}:${p.published}: ${failed}`;
      }
      return { how: 'listening' };
    }
    case 'http': {
      const p = (await reach()).find((x) => x.target === check.port && x.protocol === 'tcp');
      if (!p) return `port ${check.port} is not published yet`;
      const url = `${check.scheme}://${formatHost(p.host)}:${p.published}${check.path}`;
      const failed = await network.http(url, check.status, 2000);
      return failed ? `${url}: ${failed}` : { how: 'http' };
    }
    case 'log': {
      const logs = await swarm.serviceLogs(full, 1000);
      return check.pattern.test(logs) ? { how: 'log' } : `no log line matches ${check.pattern}`;
    }
  }
}

async function serviceFailure(swarm: SwarmCalls, service: string, full: string, why: string): Promise<SwarmStartError> {
  const logs = await swarm.serviceLogs(full, 20).catch(() => '');
  return new SwarmStartError(`Service ${service} failed on Swarm: ${why}.${logs ? `\nIts last log lines:\n${logs}` : ''}`);
}
