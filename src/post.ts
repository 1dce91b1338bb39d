import * as core from '@actions/core';
import * as path from 'path';
import { StateKeys } from './constants';
import { Docker } from './docker';
import { SpawnRunner } from './process-runner';
import { defaultProjectName } from './project-name';
import { decodeState, RunState } from './state';
import { printServiceLogs, removeStack, shouldPrintLogs, TeardownLog } from './teardown';

const log: TeardownLog = {
  info: (line) => core.info(line),
  warning: (line) => core.warning(line),
  group: (title, fn) => core.group(title, fn),
};

/**
 * Without saved state (main failed before saving it, or the runner lost it), the project can
 * still be found when its name was given or is derived from the run, as in Actions.
 */
function fallbackState(): RunState | undefined {
  const given = core.getInput('project-name').trim();
  const name = given || (process.env.GITHUB_RUN_ID ? defaultProjectName(process.env, path.basename(process.cwd())) : '');
  if (!name) return undefined;
  return { version: 1, projectName: name, workingDirectory: process.cwd(), files: [], envFiles: [], profiles: [], teardown: 'always', logs: 'on-failure', logLines: 200, stopTimeoutSeconds: 3, downFlags: [] };
}

/** The post step: logs as asked, then teardown. Problems here are warnings, never failures. */
export async function run(): Promise<void> {
  try {
    const state = decodeState(core.getState(StateKeys.Run)) ?? fallbackState();
    if (!state) {
      core.info('The main step saved no state: no stack was created, nothing to remove.');
      return;
    }
    const docker = new Docker(new SpawnRunner());
    if (shouldPrintLogs(state)) {
      await printServiceLogs(docker, state, log).catch((e: Error) => core.warning(`Could not print logs: ${e.message}`));
    }
    if (state.teardown === 'never') {
      core.info(`teardown: never, so project ${state.projectName} stays up.`);
      return;
    }
    await removeStack(docker, state, log);
  } catch (error) {
    core.warning(`Teardown problem: ${error instanceof Error ? error.message : String(error)}`);
  }
}
