import * as core from '@actions/core';
import { TeardownLog } from '../lifecycle/teardown';
import { secretForms } from '../secrets/secret-values';

// The one seam around the Actions runtime (as actions/cache's IStateProvider): main and post
// talk to the runner only through this, so they run in unit tests with a recording fake.

export interface ActionRuntime {
  getInput(name: string): string;
  setOutput(name: string, value: string): void;
  exportVariable(name: string, value: string): void;
  saveState(name: string, value: string): void;
  getState(name: string): string;
  setSecret(value: string): void;
  setFailed(message: string): void;
  info(line: string): void;
  debug(line: string): void;
  warning(line: string): void;
  notice(line: string): void;
  error(message: string, title?: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Appends to the job summary; does nothing where the runner gives none. */
  appendSummary(markdown: string): Promise<void>;
}

export function coreRuntime(): ActionRuntime {
  return {
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    exportVariable: (name, value) => core.exportVariable(name, value),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    setSecret: (value) => core.setSecret(value),
    setFailed: (message) => core.setFailed(message),
    info: (line) => core.info(line),
    debug: (line) => core.debug(line),
    warning: (line) => core.warning(line),
    notice: (line) => core.notice(line),
    error: (message, title) => core.error(message, title ? { title } : {}),
    group: (title, fn) => core.group(title, fn),
    appendSummary: async (markdown) => {
      if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
    },
  };
}

/** What removal prints through, on the runner: secrets masked in every form a log may show them. */
export function teardownLog(runtime: ActionRuntime): TeardownLog {
  return {
    info: (line) => runtime.info(line),
    warning: (line) => runtime.warning(line),
    group: (title, fn) => runtime.group(title, fn),
    mask: (secrets) => secrets.flatMap(secretForms).forEach((s) => runtime.setSecret(s)),
  };
}
