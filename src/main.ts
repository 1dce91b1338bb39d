import * as core from '@actions/core';
import * as os from 'os';
import * as path from 'path';
import { activeServices, ComposeModel, parseResolvedConfig } from './compose-model';
import { locateComposeFiles, resolveWorkingDirectory } from './compose-files';
import { checkComposeFiles } from './compose-file-check';
import { ComposeLabels, Outputs, serviceUrlOutput, StateKeys } from './constants';
import { getInputs, Inputs } from './context';
import { createWaves, planStart, StartPlan } from './dependency-graph';
import { declaredTcpPorts, rulesFromConditions } from './readiness-rules';
import { ComposeProject, manualRemovalCommand } from './docker-args';
import { ComposeCli, Docker } from './docker';
import { nodeNetworkProbe } from './net-probes';
import { SpawnRunner } from './process-runner';
import { engineIsLocal, isOnLocalNetwork } from './reachability';
import { defaultProjectName, validateProjectName } from './project-name';
import { buildReport, StackReport } from './service-report';
import { ServiceOutcome, StackEngine, StackStarter, StackStartError } from './stack-starter';
import { encodeState, RunState } from './state';
import { EnvironmentSecrets, environmentSecrets, envInBuildLine, hideSecrets, MIN_MASKED_LENGTH, secretForms } from './secrets';
import { exportedVariables } from './exported-env';
import { WatchedContainer } from './exits-after-main';
import { summaryMarkdown } from './summary';

/** The main step: create the stack, start it in dependency order, wait until it is ready. */
export async function run(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) core.info(`Received ${signal}: stopping; the post step removes the stack.`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await up(getInputs(), controller.signal);
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function saveState(state: RunState): void {
  core.saveState(StateKeys.Run, encodeState(state));
}

function checkWaitForServices(inputs: Inputs, plan: StartPlan): void {
  const unknown = Object.keys(inputs.waitFor).filter((s) => !plan.services.includes(s));
  if (unknown.length > 0) {
    throw new Error(`Input 'wait-for' names service(s) that will not run: ${unknown.join(', ')}. Services in this stack: ${plan.services.join(', ')}.`);
  }
}

async function up(inputs: Inputs, signal: AbortSignal): Promise<void> {
  const workingDirectory = resolveWorkingDirectory(inputs.workingDirectory, process.cwd());
  const files = locateComposeFiles(inputs.composeFiles, workingDirectory);
  checkComposeFiles(files, workingDirectory);
  const projectName = inputs.projectName ? validateProjectName(inputs.projectName) : defaultProjectName(process.env, path.basename(workingDirectory));
  const project: ComposeProject = { name: projectName, workingDirectory, files, envFiles: inputs.envFiles, profiles: inputs.profiles };
  const state: RunState = {
    version: 1,
    projectName,
    workingDirectory,
    files,
    envFiles: inputs.envFiles,
    profiles: inputs.profiles,
    teardown: inputs.teardown,
    logs: inputs.logs,
    logLines: inputs.logLines,
    stopTimeoutSeconds: inputs.stopTimeoutSeconds,
    downFlags: inputs.downFlags,
    failOnExit: inputs.failOnExit,
  };
  saveState(state);
  core.setOutput(Outputs.ProjectName, projectName);
  core.info(`Project ${projectName}: ${files.join(', ')} in ${workingDirectory}`);

  const docker = new Docker(new SpawnRunner(), process.env, signal);
  // The daemon check, compose's config and the look for an existing project do not depend on each
  // other; a daemon that does not answer is the more basic problem, so it is the one reported first.
  const [configResult, versionResult, existingResult] = await Promise.allSettled([
    docker.resolveConfig(inputs.composeCommand, project),
    docker.serverVersion(),
    docker.projectResources(projectName),
  ]);
  if (versionResult.status === 'rejected') throw versionResult.reason;
  if (configResult.status === 'rejected') throw configResult.reason;
  if (existingResult.status === 'rejected') throw existingResult.reason;
  const config = configResult.value;
  const cli = config.cli;
  state.compose = cli;
  saveState(state);

  const model = parseResolvedConfig(config.yaml);
  const secrets = new SecretRegistry();
  // Masked before anything is created: compose's create output, and container logs in a failure
  // message, may echo them. The images' own ENV counts too; built and pulled images are covered
  // once their containers exist.
  for (const [name, svc] of Object.entries(model.services)) secrets.add(environmentSecrets(svc.environment), name);
  const localImages = [...new Set(Object.values(model.services).flatMap((s) => (s.image ? [s.image] : [])))];
  for (const env of await docker.imageEnvironments(localImages)) secrets.add(environmentSecrets(env), 'image ENV');
  const roots = inputs.services.length > 0 ? inputs.services : activeServices(model, inputs.profiles.concat(profilesFromEnv()), []);
  const plan = planStart(model, roots);
  checkWaitForServices(inputs, plan);
  const isV2 = cli.command === 'docker' && cli.baseArgs[0] === 'compose';
  const version = isV2 || /^name:/m.test(config.yaml) ? 'v2' : 'v1';
  core.info(`Compose ${version} ('${[cli.command, ...cli.baseArgs].join(' ')}'), engine ${versionResult.value}`);
  core.info(`Start order: ${plan.levels.map((l, i) => `${i}: ${l.join(' ')}`).join(' | ')}`);
  // Mistakes in the inputs are reported first; then, last before creating anything, the name.
  refuseExistingProject(projectName, existingResult.value);
  state.creationStarted = true;
  saveState(state);
  if (inputs.pull === 'always' && version === 'v1') await docker.pull(cli, project, plan.services);
  const create = async (services: string[], progress?: (line: string) => void) => {
    try {
      await docker.create(cli, project, { version, build: inputs.build, pull: inputs.pull, services, upFlags: inputs.upFlags }, progress);
    } catch (error) {
      throw await explainCreateFailure(docker, model, services, error as Error);
    }
  };
  // Compose v1 needs services behind a conditional depends_on created in later calls; those run
  // while the first wave starts, since their services wait on that wave's readiness anyway.
  const [firstWave, ...laterWaves] = version === 'v1' ? createWaves(model, plan) : [plan.services];
  // A build echoes its Dockerfile's ENV lines before the image exists: masked as they pass.
  const showCreateLine = (prefix: string) => (line: string) => {
    secrets.add(environmentSecrets(envInBuildLine(line)), 'Dockerfile ENV');
    core.info(`${prefix}${line}`);
  };
  core.startGroup(`Creating ${firstWave.join(', ')} (compose up --no-start)`);
  try {
    await create(firstWave, showCreateLine(''));
  } finally {
    core.endGroup();
  }
  const later =
    laterWaves.length === 0
      ? undefined
      : (async () => {
          // Shown as it comes (a build can take minutes), marked since level lines interleave.
          for (const services of laterWaves) await create(services, showCreateLine(`[create ${services.join(', ')}] `));
          core.info(`Created ${laterWaves.flat().join(', ')} (compose up --no-start, while the first services started)`);
          return containersByService(docker, projectName, secrets);
        })();
  // The starter asks for them when it needs them; until then a failure must not go unhandled.
  later?.catch(() => undefined);

  const containers = await containersByService(docker, projectName, secrets);
  const since = Date.now() / 1000 - 1;
  const engine = stackEngine(docker, cli, project, since);
  // Compose v2 does more per container at start than `docker start` (its startService): pre_start
  // hook runners before, post_start hooks after, and (2.37.3+) copying in the secret and config
  // files it generates from content: or environment: sources.
  const composeStarted = new Set(version === 'v2' ? plan.services.filter((s) => model.services[s].hasHooks || model.services[s].hasGeneratedFiles) : []);
  const scaledToZero = new Set(plan.services.filter((s) => model.services[s].replicas === 0 && !containers[s]?.length));
  const starter = new StackStarter(engine, nodeNetworkProbe, {
    plan,
    containers,
    laterContainers: later,
    rules: rulesFromConditions(model, plan.services, inputs.waitFor),
    declaredPorts: Object.fromEntries(plan.services.map((s) => [s, declaredTcpPorts(model, s)])),
    scaledToZero,
    startAlone: new Set(plan.services.filter((s) => model.services[s].ports.some((p) => p.fromRange))),
    reachable: reachability(),
    timeoutMs: inputs.timeoutSeconds * 1000,
    composeStarted,
    logLines: Math.min(inputs.logLines, 50),
    signal,
    log: (line) => core.info(line),
  });
  let outcomes: Record<string, ServiceOutcome>;
  try {
    outcomes = await starter.run();
  } catch (error) {
    if (error instanceof StackStartError) {
      // A problem writing the outputs must not hide why the stack did not come up.
      await publish(projectName, model, error.outcomes, inputs, secrets, error).catch((e: Error) => core.warning(`Could not write the outputs: ${e.message}`));
    }
    state.outcome = 'failure';
    saveState(state);
    throw error;
  }
  await publish(projectName, model, outcomes, inputs, secrets);
  state.watched = await watchedContainers(docker, outcomes);
  state.outcome = 'success';
  saveState(state);
}

/**
 * How this run reaches containers: at their addresses where those lie on a network of this
 * machine's (a local engine's bridge), else through the engine. Said once in the log.
 */
function reachability(): (address: string) => boolean {
  const local = engineIsLocal(process.env.DOCKER_HOST, os.networkInterfaces());
  core.info(local ? 'Reaching services: container addresses where this machine is on their network, else through the engine' : `Reaching services: through the engine at ${process.env.DOCKER_HOST} (ports read inside each container)`);
  // Interfaces are read at each new address: the project's own bridges appear only once compose creates them.
  const known = new Set<string>();
  return (address) => {
    if (!local) return false;
    if (!known.has(address) && isOnLocalNetwork(address, os.networkInterfaces())) known.add(address);
    return known.has(address);
  };
}

/** The containers of services judged ready, with their restart counts now, for post to compare. */
async function watchedContainers(docker: Docker, outcomes: Record<string, ServiceOutcome>): Promise<WatchedContainer[]> {
  const ready = Object.values(outcomes).filter((o) => o.status === 'ready');
  const ids = ready.flatMap((o) => o.containers.map((c) => c.id));
  const now = new Map((await docker.inspect(ids)).map((f) => [f.id, f.restartCount]));
  return ready.flatMap((o) => o.containers.map((c) => ({ service: o.name, id: c.id, restarts: now.get(c.id) ?? c.restartCount })));
}

/** Names the images that are not on the engine and the services that use them. */
async function explainCreateFailure(docker: Docker, model: ComposeModel, services: string[], error: Error): Promise<Error> {
  const wanted = services.filter((s) => model.services[s].image && !model.services[s].hasBuild);
  const missing = (await Promise.all(wanted.map(async (s) => ((await docker.hasImage(model.services[s].image as string)) ? undefined : s)))).filter(
    (s): s is string => s !== undefined,
  );
  if (missing.length === 0) return error;
  const names = missing.map((s) => `'${model.services[s].image}' (service '${s}')`).join(', ');
  return new Error(`Image ${names} is not on this engine and could not be pulled. ${error.message}`);
}

function profilesFromEnv(): string[] {
  return (process.env.COMPOSE_PROFILES ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

async function containersByService(docker: Docker, project: string, secrets: SecretRegistry): Promise<Record<string, string[]>> {
  const facts = await docker.inspect(await docker.containerIds(project));
  const out: Record<string, string[]> = {};
  for (const f of facts) {
    if (f.labels[ComposeLabels.OneOff] === 'True' || f.labels[ComposeLabels.Hook]) continue;
    // The container's environment holds the image's ENV as built or pulled: masked before it starts.
    secrets.add(environmentSecrets(f.env), f.service);
    (out[f.service] ??= []).push(f.id);
  }
  return out;
}

function stackEngine(docker: Docker, cli: ComposeCli, project: ComposeProject, since: number): StackEngine {
  return {
    inspect: (ids) => docker.inspect(ids),
    start: (ids) => docker.start(ids),
    composeStart: (services) => docker.composeStart(cli, project, services),
    tailLogs: (id, lines) => docker.tailLogs(id, lines),
    exec: (id, command, timeoutMs, signal) => docker.exec(id, command, timeoutMs, signal),
    followLogs: (id, onLine, signal) => docker.followLogs(id, onLine, signal),
    watchEvents: (onEvent, signal) => docker.watchEvents(project.name, since, onEvent, signal),
  };
}

/**
 * Every secret of the run, registered with the runner once, the first time it is seen. Values
 * too short or too plain to mask are named (never shown) instead.
 */
class SecretRegistry {
  private readonly values = new Set<string>();
  private readonly warned = new Set<string>();

  add(found: EnvironmentSecrets | string[], where?: string): void {
    const { secrets, unmasked } = Array.isArray(found) ? { secrets: found, unmasked: [] } : found;
    for (const s of secrets) {
      if (this.values.has(s)) continue;
      this.values.add(s);
      for (const form of secretForms(s)) core.setSecret(form);
    }
    const fresh = unmasked.filter((n) => !this.warned.has(n));
    if (fresh.length === 0) return;
    fresh.forEach((n) => this.warned.add(n));
    core.warning(
      `Not masked: ${fresh.join(', ')}${where ? ` (${where})` : ''}: values shorter than ${MIN_MASKED_LENGTH} characters or plain numbers would turn ordinary text all through the job log into ***. Use a longer secret.`,
    );
  }

  all(): string[] {
    return [...this.values];
  }
}

/** Ephemeral mode never adopts a project: whatever exists under the name was not made by this run. */
function refuseExistingProject(projectName: string, existing: { containers: string[]; networks: string[]; volumes: string[] }): void {
  const parts = (
    [
      ['container', existing.containers],
      ['network', existing.networks],
      ['volume', existing.volumes],
    ] as const
  )
    .filter(([, names]) => names.length > 0)
    .map(([kind, names]) => `${names.length} ${kind}${names.length > 1 ? 's' : ''} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`);
  if (parts.length === 0) return;
  throw new Error(
    `Project '${projectName}' already exists on this engine: ${parts.join(', ')}, and this run did not create it. ` +
      `The action never touches a stack it did not create: choose another 'project-name', or remove that project first (${manualRemovalCommand(projectName)}).`,
  );
}

async function publish(projectName: string, model: ComposeModel, outcomes: Record<string, ServiceOutcome>, inputs: Inputs, secrets: SecretRegistry, failure?: Error): Promise<StackReport> {
  const report = buildReport(model, outcomes, inputs.host);
  secrets.add(report.secrets);
  core.setOutput(Outputs.Urls, JSON.stringify(report.urls));
  core.setOutput(Outputs.Services, JSON.stringify(report.services));
  for (const [service, url] of Object.entries(report.urls)) core.setOutput(serviceUrlOutput(service), url);
  if (inputs.exportEnv) {
    const { variables, skipped, collisions } = exportedVariables(report, inputs.envPrefix);
    for (const [name, value] of Object.entries(variables)) core.exportVariable(name, value);
    for (const c of collisions) core.warning(`Services ${c.services.map((s) => `'${s}'`).join(' and ')} both export ${c.name}; those hold the values of '${c.services[0]}'. Rename one service, or read the 'services' output instead.`);
    if (skipped.length > 0) core.warning(`Not exported, as compose and docker read these names themselves: ${skipped.join(', ')}. Set 'env-prefix' to export them.`);
  }
  if (Object.keys(report.urls).length > 0) {
    core.info('Service URLs:');
    for (const [service, url] of Object.entries(report.urls)) core.info(`  ${service}: ${hideSecrets(url, secrets.all())}`);
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    await core.summary.addRaw(summaryMarkdown(projectName, report, failure, secrets.all())).write();
  }
  return report;
}
