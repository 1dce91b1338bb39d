import * as core from '@actions/core';
import { Inputs as Names } from './constants';
import { PullPolicy } from './docker-args';
import { parseBoolean, parseChoice, parseLines, parseList, parsePositiveInteger, parseSeconds } from './input-parsing';
import { splitShellWords } from './shell-words';
import { parseWaitFor, WaitRule } from './wait-for';

export type Teardown = 'always' | 'never';
export type LogsPolicy = 'on-failure' | 'always' | 'never';

export interface Inputs {
  composeFiles: string[];
  workingDirectory: string;
  projectName: string;
  services: string[];
  profiles: string[];
  envFiles: string[];
  build: boolean;
  pull: PullPolicy;
  timeoutSeconds: number;
  waitFor: Record<string, WaitRule>;
  teardown: Teardown;
  logs: LogsPolicy;
  logLines: number;
  stopTimeoutSeconds: number;
  host: string;
  exportEnv: boolean;
  envPrefix: string;
  composeCommand?: string[];
  upFlags: string[];
  downFlags: string[];
  failOnExit: boolean;
}

function words(name: string, value: string): string[] {
  try {
    return splitShellWords(value);
  } catch (e) {
    throw new Error(`Input '${name}': ${(e as Error).message}.`);
  }
}

function parseEnvPrefix(value: string): string {
  const prefix = value.trim();
  if (prefix !== '' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) {
    throw new Error(`Input 'env-prefix' must be letters, digits and '_' (not starting with a digit), got '${value}'.`);
  }
  return prefix;
}

/** Reads and checks every input; a bad one fails the step before anything is created. */
export function getInputs(read: (name: string) => string = (n) => core.getInput(n)): Inputs {
  const composeCommand = words(Names.ComposeCommand, read(Names.ComposeCommand));
  const host = read(Names.Host).trim() || 'localhost';
  if (/[\s/]/.test(host)) throw new Error(`Input 'host' must be a host name or address, got '${host}'.`);
  return {
    composeFiles: parseLines(read(Names.ComposeFile)),
    workingDirectory: read(Names.WorkingDirectory).trim() || '.',
    projectName: read(Names.ProjectName).trim(),
    services: parseList(read(Names.Services)),
    profiles: parseList(read(Names.Profiles)),
    envFiles: parseLines(read(Names.EnvFile)),
    build: parseBoolean(Names.Build, read(Names.Build)),
    pull: parseChoice(Names.Pull, read(Names.Pull), ['missing', 'always', 'never'] as const, 'missing'),
    timeoutSeconds: parseSeconds(Names.Timeout, read(Names.Timeout), 300),
    waitFor: parseWaitFor(read(Names.WaitFor).split(/\r?\n/)),
    teardown: parseChoice(Names.Teardown, read(Names.Teardown), ['always', 'never'] as const, 'always'),
    logs: parseChoice(Names.Logs, read(Names.Logs), ['on-failure', 'always', 'never'] as const, 'on-failure'),
    logLines: parsePositiveInteger(Names.LogLines, read(Names.LogLines), 200),
    stopTimeoutSeconds: parseSeconds(Names.StopTimeout, read(Names.StopTimeout), 3, true),
    host,
    exportEnv: parseBoolean(Names.ExportEnv, read(Names.ExportEnv) || 'true'),
    envPrefix: parseEnvPrefix(read(Names.EnvPrefix)),
    composeCommand: composeCommand.length > 0 ? composeCommand : undefined,
    upFlags: words(Names.UpFlags, read(Names.UpFlags)),
    downFlags: words(Names.DownFlags, read(Names.DownFlags)),
    failOnExit: parseBoolean(Names.FailOnExit, read(Names.FailOnExit)),
  };
}
