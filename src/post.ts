import * as core from '@actions/core';
import { StateKeys } from './constants';
import { Docker } from './docker';
import { manualRemovalCommand } from './docker-args';
import { SpawnRunner } from './process-runner';
import { environmentSecrets, hideSecrets, secretForms } from './secrets';
import { decodeState, RunState } from './state';
import { ContainerFacts } from './container-facts';
import { describeExit, ExitAfterMain, exitsAfterMain } from './exits-after-main';
import { exitsMarkdown } from './summary';
import { printServiceLogs, projectContainers, removeStack, shouldPrintLogs, TeardownLog } from './teardown';

/** Log lines in each exit annotation; the full logs follow in the post step's groups. */
const EXIT_LOG_LINES = 30;

const log: TeardownLog = {
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  group: (title, fn) => core.group(title, fn),
  mask: (secrets) => secrets.flatMap(secretForms).forEach((s) => core.setSecret(s)),
};

/**
 * The post step: logs as asked, then teardown of what this run created, and only that. Problems
 * here are warnings, never failures. Without state, or with state saved before the first create,
 * the run created nothing, so nothing is removed: a project of the same name belongs to someone else.
 */
export async function run(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) core.info(`Received ${signal}: stopping the post step.`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  /** Set once removal begins: a cancel from then on may leave part of the project. */
  let project: string | undefined;
  let failedExits: ExitAfterMain[] = [];
  let failOnExit = false;
  try {
    const state = decodeState(core.getState(StateKeys.Run));
    if (!state) {
      core.info('The main step saved no state, so it created nothing: nothing to remove.');
      return;
    }
    failOnExit = state.failOnExit;
    if (!state.creationStarted) {
      core.info(`The main step stopped before creating anything, so project ${state.projectName} is not touched.`);
      return;
    }
    const docker = new Docker(new SpawnRunner(), process.env, controller.signal);
    let containers: ContainerFacts[] | undefined;
    // One look serves both the exit report and the logs; neither asked for, teardown needs none.
    if (state.watched?.length || state.logs !== 'never') {
      try {
        containers = await projectContainers(docker, state, log);
      } catch (e) {
        core.warning(`Could not look at the project's containers: ${(e as Error).message}`);
      }
    }
    const exits = containers && state.watched ? exitsAfterMain(state.watched, containers) : [];
    await reportExits(docker, state, exits, containers ?? []);
    failedExits = exits.filter((e) => e.failed);
    if (containers && shouldPrintLogs(state, failedExits.length > 0)) {
      await printServiceLogs(docker, state, log, containers).catch((e: Error) => core.warning(`Could not print logs: ${e.message}`));
    }
    if (state.teardown === 'never') {
      core.info(`teardown: never, so project ${state.projectName} stays up.`);
      return;
    }
    project = state.projectName;
    await removeStack(docker, state, log);
  } catch (error) {
    core.warning(`Teardown problem: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    if (failOnExit && failedExits.length > 0) {
      core.setFailed(`${failedExits.length} service(s) exited after the main step found them ready: ${failedExits.map((e) => e.service).join(', ')} (fail-on-exit: true).`);
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (controller.signal.aborted && project) {
      core.warning(`The post step was cancelled: project ${project} may be partly left. Remove it with: ${manualRemovalCommand(project)}`);
    }
  }
}

/**
 * Services that died after main: an error annotation each, with the exit code, when, and the last
 * log lines, and a section of the job summary. Only non-zero exits and restarts are errors.
 */
async function reportExits(docker: Docker, state: RunState, exits: ExitAfterMain[], containers: ContainerFacts[]): Promise<void> {
  if (exits.length === 0) return;
  const tails: Record<string, string> = {};
  for (const e of exits) {
    const id = containers.find((c) => c.name === e.container)?.id;
    const tail = id ? await docker.tailLogs(id, Math.min(state.logLines, EXIT_LOG_LINES)).catch(() => '') : '';
    tails[e.container] = tail;
    const message = `${describeExit(e)}\nLast log lines of ${e.service}:\n${tail.trim() || '(no output)'}`;
    if (e.failed) core.error(message, { title: `${e.service} exited after the main step` });
    else core.info(message);
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    // The summary file is not masked by the runner: secrets are hidden here.
    const secrets = containers.flatMap((c) => environmentSecrets(c.env).secrets);
    const hidden = Object.fromEntries(Object.entries(tails).map(([k, v]) => [k, hideSecrets(v, secrets)]));
    await core.summary.addRaw(exitsMarkdown(state.projectName, exits, hidden)).write();
  }
}
