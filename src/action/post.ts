import { ContainerFacts } from '../engine/container-facts';
import { withoutEarlierComposeExports } from '../outputs/compose-env';
import { DockerClient } from '../engine/docker';
import { manualRemovalCommand } from '../engine/docker-args';
import { containerLocks, releaseLockOrWarn, swarmLocks } from '../lifecycle/project-lock';
import { leaveNetworks } from '../lifecycle/route';
import { printServiceLogs, projectContainers, removeStack, shouldPrintLogs } from '../lifecycle/teardown';
import { describeExit, ExitAfterMain, exitsAfterMain } from '../lifecycle/exits-after-main';
import { environmentSecrets, hideSecrets } from '../secrets/secret-values';
import { exitsMarkdown } from '../outputs/summary';
import { collectLogs, readKeptSecrets } from '../lifecycle/log-collection';
import { ArtifactUploader, githubArtifacts, uploadLogsArtifact } from './logs-artifact';
import { listenForCancel } from './cancellation';
import { dockerFor, swarmFor } from './dependencies';
import { SwarmCalls } from '../engine/swarm';
import { printSwarmLogs, swarmDown } from '../lifecycle/swarm-down';
import { SWARM_REMOVAL_MS } from '../previews/swarm-previews';
import { StateKeys } from './names';
import { coreRuntime, ActionRuntime, teardownLog } from './runtime';
import { loadRunState, RunState } from './state';
import { errorText } from '../compose/error-text';
import { EngineCalls } from '../engine/engine-calls';
import { logTail } from '../readiness/failure-description';

/** Log lines in each exit annotation; the full logs follow in the post step's groups. */
const EXIT_LOG_LINES = 30;

export interface PostDependencies {
  runtime: ActionRuntime;
  docker: (env: NodeJS.ProcessEnv, signal: AbortSignal) => DockerClient;
  env: NodeJS.ProcessEnv;
  artifacts?: ArtifactUploader;
  /** The Swarm calls for an environment; the CLI's where not given. */
  swarm?: (env: NodeJS.ProcessEnv, signal?: AbortSignal) => SwarmCalls;
}

export function defaultPostDependencies(): PostDependencies {
  return { runtime: coreRuntime(), docker: dockerFor, env: process.env, artifacts: githubArtifacts() };
}

/**
 * The post step: logs as asked, then teardown of what this run created, and only that. Problems
 * here are warnings, never failures. Without state, or with state saved before the first create,
 * the run created nothing, so nothing is removed: a project of the same name belongs to someone else.
 */
export async function run(deps: PostDependencies = defaultPostDependencies()): Promise<void> {
  const { runtime } = deps;
  const cancel = listenForCancel((l) => runtime.info(l), 'stopping the post step.');
  const log = teardownLog(runtime);
  /** Set once removal begins: a cancel from then on may leave part of the project. */
  let removing: string | undefined;
  let failedExits: ExitAfterMain[] = [];
  let failOnExit = false;
  /** Set once the logs are collected: uploaded after teardown, whatever way post ends. */
  let artifact: { name: string; folder: string } | undefined;
  try {
    const state = loadRunState(runtime);
    runtime.debug(`State from main: ${runtime.getState(StateKeys.Run) || '(none)'}`);
    if (!state) {
      runtime.info('The main step saved no state, so it created nothing: nothing to remove.');
      return;
    }
    failOnExit = state.post.failOnExit;
    // The engine main used, whatever this step's environment says.
    // The project as main recorded it; COMPOSE_* that main (or a later use) exported must not change it.
    const env = withoutEarlierComposeExports(deps.env);
    const engineEnv = state.dockerHost ? { ...env, DOCKER_HOST: state.dockerHost } : env;
    const docker = deps.docker(engineEnv, cancel.signal);
    const swarm = () => (deps.swarm ?? swarmFor)(engineEnv, cancel.signal);
    // Main holds a project's lock only while it runs: one left means main was cut short.
    if (state.lock) {
      const lock = state.lock;
      const locks = lock.store === 'swarm' ? swarmLocks(swarm()) : containerLocks(docker);
      if ((await releaseLockOrWarn(locks, lock, (l) => runtime.warning(l))) === 'released') runtime.info(`Released the lock ${lock.name} the main step held.`);
    }
    if (state.mode === 'down' || state.mode === 'sweep') {
      runtime.info(`command: ${state.mode}: the main step did all there is to do.`);
      return;
    }
    if (!state.creationStarted) {
      runtime.info(`The main step stopped before creating anything, so project ${state.project.name} is not touched.`);
      return;
    }
    if (state.engine === 'swarm') {
      removing = state.project.name;
      await swarmPost(swarm(), state, runtime, cancel.signal);
      return;
    }
    let containers: ContainerFacts[] | undefined;
    // One look serves the exit report, the logs and the artifact; none asked for, teardown needs none.
    if (state.watched?.length || state.post.logs !== 'never' || state.artifactFolder) {
      try {
        containers = await projectContainers(docker, state, log);
      } catch (e) {
        runtime.warning(`Could not look at the project's containers: ${errorText(e)}`);
      }
    }
    const exits = containers && state.watched ? exitsAfterMain(state.watched, containers) : [];
    await reportExits(runtime, docker, state, exits, containers ?? []);
    failedExits = exits.filter((e) => e.failed);
    if (containers && shouldPrintLogs(state, failedExits.length > 0)) {
      await printServiceLogs(docker, state, log, containers).catch((e: Error) => runtime.warning(`Could not print logs: ${e.message}`));
    }
    if (state.post.logsArtifact && state.artifactFolder) {
      artifact = { name: state.post.logsArtifact, folder: state.artifactFolder };
      if (containers) await collectForArtifact(runtime, docker, containers, artifact.folder);
    }
    // An attached job container keeps the networks from being removed, and should not outlive
    // the project on them either way.
    if (state.joined) await leaveNetworks(docker, state.joined, (line) => runtime.warning(line));
    if (state.mode === 'deploy') {
      runtime.info(`Preview ${state.project.name} stays up (command: down removes it).`);
      return;
    }
    if (state.post.teardown === 'never') {
      runtime.info(`teardown: never, so project ${state.project.name} stays up.`);
      return;
    }
    removing = state.project.name;
    await removeStack(docker, state, log);
  } catch (error) {
    runtime.warning(`Teardown problem: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (artifact) await uploadLogsArtifact(runtime, deps.artifacts ?? githubArtifacts(), deps.env, artifact.name, artifact.folder);
    if (failOnExit && failedExits.length > 0) {
      runtime.setFailed(`${failedExits.length} service(s) exited after the main step found them ready: ${failedExits.map((e) => e.service).join(', ')} (fail-on-exit: true).`);
    }
    cancel.dispose();
    if (cancel.signal.aborted && removing) {
      runtime.warning(`The post step was cancelled: project ${removing} may be partly left. Remove it with: ${manualRemovalCommand(removing)}`);
    }
  }
}

/** Swarm: the services' last log lines as asked, then the stack removed and waited for (a preview's is left up). */
async function swarmPost(swarm: SwarmCalls, state: RunState, runtime: ActionRuntime, signal: AbortSignal): Promise<void> {
  const stack = state.project.name;
  const logs = state.post.logs;
  if (logs === 'always' || (logs === 'on-failure' && state.outcome !== 'success')) await printSwarmLogs(swarm, stack, 'all', state.post.logLines, runtime);
  if (state.mode === 'deploy') {
    runtime.info(`Preview ${stack} stays up on the swarm (command: down removes it).`);
    return;
  }
  if (state.post.teardown === 'never') {
    runtime.info(`teardown: never, so stack ${stack} stays on the swarm.`);
    return;
  }
  await swarmDown(swarm, stack, SWARM_REMOVAL_MS, runtime, signal);
}

/** Every container's whole log into the artifact's folder, before the stack goes; secrets hidden. */
async function collectForArtifact(runtime: ActionRuntime, docker: DockerClient, containers: ContainerFacts[], folder: string): Promise<void> {
  try {
    const collected = await collectLogs(docker, containers, folder, readKeptSecrets(folder));
    runtime.info(`Collected the logs of ${collected.files.length} container(s) for the artifact (${Math.ceil(collected.bytes / 1024)} KiB).`);
    if (collected.missed.length > 0) runtime.warning(`Logs not collected for the artifact: ${collected.missed.join(', ')}`);
  } catch (e) {
    runtime.warning(`Could not collect the logs for the artifact: ${errorText(e)}`);
  }
}

/**
 * Services that died after main: an error annotation each, with the exit code, when, and the last
 * log lines, and a section of the job summary. Only non-zero exits and restarts are errors.
 */
async function reportExits(runtime: ActionRuntime, docker: EngineCalls, state: RunState, exits: ExitAfterMain[], containers: ContainerFacts[]): Promise<void> {
  if (exits.length === 0) return;
  const tails: Record<string, string> = {};
  for (const e of exits) {
    const id = containers.find((c) => c.name === e.container)?.id;
    const tail = id ? await docker.tailLogs(id, Math.min(state.post.logLines, EXIT_LOG_LINES)).catch(() => '') : '';
    tails[e.container] = tail;
    const message = `${describeExit(e)}\nLast log lines of ${e.service}:\n${logTail(tail)}`;
    if (e.failed) runtime.error(message, `${e.service} exited after the main step`);
    else runtime.info(message);
  }
  // The summary file is not masked by the runner: secrets are hidden here.
  const secrets = containers.flatMap((c) => environmentSecrets(c.env).secrets);
  const hidden = Object.fromEntries(Object.entries(tails).map(([k, v]) => [k, hideSecrets(v, secrets)]));
  await runtime.appendSummary(
    exitsMarkdown(
      state.project.name,
      exits.map((e) => ({ container: e.container, sentence: describeExit(e), failed: e.failed })),
      hidden,
    ),
  );
}
