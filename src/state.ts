import { LogsPolicy, Teardown } from './context';
import { ComposeCli } from './docker';
import { WatchedContainer } from './exits-after-main';

// What main hands to post, saved as one JSON value. Saved before anything is created, and again
// as the run goes on, so a failed or cancelled main still leaves post enough to clean up, and
// post can tell whether this run created anything at all.

export interface RunState {
  version: 1;
  projectName: string;
  workingDirectory: string;
  files: string[];
  envFiles: string[];
  profiles: string[];
  compose?: ComposeCli;
  teardown: Teardown;
  logs: LogsPolicy;
  logLines: number;
  stopTimeoutSeconds: number;
  downFlags: string[];
  /** Fail the post step when a service main found ready has exited since. */
  failOnExit: boolean;
  /** The containers main left up (services judged ready), for post to see which died since. */
  watched?: WatchedContainer[];
  /**
   * Written just before the first call that can create anything. Without it post removes nothing:
   * whatever carries the project's label then was not made by this run.
   */
  creationStarted?: boolean;
  /** Set when main finished; missing after a cancel or crash, which post treats as a failure. */
  outcome?: 'success' | 'failure';
}

export function encodeState(state: RunState): string {
  return JSON.stringify(state);
}

export function decodeState(text: string): RunState | undefined {
  if (!text.trim()) return undefined;
  try {
    const s = JSON.parse(text) as Partial<RunState>;
    if (s.version !== 1 || typeof s.projectName !== 'string' || s.projectName === '') return undefined;
    return {
      version: 1,
      projectName: s.projectName,
      workingDirectory: s.workingDirectory ?? '.',
      files: s.files ?? [],
      envFiles: s.envFiles ?? [],
      profiles: s.profiles ?? [],
      compose: s.compose,
      teardown: s.teardown ?? 'always',
      logs: s.logs ?? 'on-failure',
      logLines: s.logLines ?? 200,
      stopTimeoutSeconds: s.stopTimeoutSeconds ?? 3,
      downFlags: s.downFlags ?? [],
      failOnExit: s.failOnExit === true,
      watched: Array.isArray(s.watched) ? s.watched : undefined,
      creationStarted: s.creationStarted === true,
      outcome: s.outcome,
    };
  } catch {
    return undefined;
  }
}
