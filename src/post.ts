import * as core from '@actions/core';
import { StateKeys } from './constants';
import { Docker } from './docker';
import { manualRemovalCommand } from './docker-args';
import { SpawnRunner } from './process-runner';
import { secretForms } from './secrets';
import { decodeState } from './state';
import { printServiceLogs, removeStack, shouldPrintLogs, TeardownLog } from './teardown';

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
  try {
    const state = decodeState(core.getState(StateKeys.Run));
    if (!state) {
      core.info('The main step saved no state, so it created nothing: nothing to remove.');
      return;
    }
    if (!state.creationStarted) {
      core.info(`The main step stopped before creating anything, so project ${state.projectName} is not touched.`);
      return;
    }
    const docker = new Docker(new SpawnRunner(), process.env, controller.signal);
    if (shouldPrintLogs(state)) {
      await printServiceLogs(docker, state, log).catch((e: Error) => core.warning(`Could not print logs: ${e.message}`));
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
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (controller.signal.aborted && project) {
      core.warning(`The post step was cancelled: project ${project} may be partly left. Remove it with: ${manualRemovalCommand(project)}`);
    }
  }
}
