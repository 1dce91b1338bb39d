// What the post step does with the stack, as the inputs said. Main resolves it once and saves it
// in the run's state whole; post reads it back unchanged.

export type Teardown = 'always' | 'never';
export type LogsPolicy = 'on-failure' | 'always' | 'never';

export interface PostSettings {
  teardown: Teardown;
  logs: LogsPolicy;
  logLines: number;
  stopTimeoutSeconds: number;
  downFlags: string[];
  /** Fail the post step when a service main found ready has exited since. */
  failOnExit: boolean;
  /** The name of the workflow artifact post uploads every container's log in; '' for none. */
  logsArtifact: string;
}
