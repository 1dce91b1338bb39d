// Every name the workflow contract exposes lives here, so action.yml, main and post agree.

export const InputNames = {
  ComposeFile: 'compose-file',
  WorkingDirectory: 'working-directory',
  ProjectName: 'project-name',
  Services: 'services',
  Profiles: 'profiles',
  EnvFile: 'env-file',
  Build: 'build',
  Pull: 'pull',
  RegistryMirror: 'registry-mirror',
  BuildCache: 'build-cache',
  Timeout: 'timeout',
  WaitFor: 'wait-for',
  Teardown: 'teardown',
  Logs: 'logs',
  StopTimeout: 'stop-timeout',
  /** The host name in URLs (not the engine: that is docker-host). */
  UrlHost: 'url-host',
  DockerHost: 'docker-host',
  ExportEnv: 'export-env',
  ComposeCommand: 'compose-command',
  UpFlags: 'up-flags',
  DownFlags: 'down-flags',
  FailOnExit: 'fail-on-exit',
  /** The preview action's: deploy, down or sweep. */
  Command: 'command',
  Ports: 'ports',
  UrlTemplate: 'url-template',
  Ttl: 'ttl',
  Comment: 'comment',
  GithubToken: 'github-token',
  Run: 'run',
  RunTimeout: 'run-timeout',
  MaxLifetime: 'max-lifetime',
  LogsArtifact: 'logs-artifact',
  /** compose (the engine runs the stack) or swarm (the engine is a Swarm manager: a stack deploy). */
  Engine: 'engine',
} as const;

export const OutputNames = {
  ProjectName: 'project-name',
  Urls: 'urls',
  Services: 'services',
  /** `sweep`: the projects it removed, as a JSON list. */
  Removed: 'removed',
  /** `run`: the exit code of the service run in the foreground. */
  RunExitCode: 'run-exit-code',
} as const;

/**
 * Each input's default, written here only: `getInputs` applies them, and a unit test holds
 * action.yml's `default:` lines to the same values.
 */
export const InputDefaults = {
  [InputNames.WorkingDirectory]: '.',
  [InputNames.Build]: 'false',
  [InputNames.Pull]: 'missing',
  [InputNames.BuildCache]: 'none',
  [InputNames.Timeout]: '300',
  [InputNames.Teardown]: 'always',
  [InputNames.Logs]: 'on-failure',
  [InputNames.StopTimeout]: '3',
  [InputNames.ExportEnv]: 'true',
  [InputNames.FailOnExit]: 'false',
  [InputNames.Ports]: 'as-written',
  [InputNames.Comment]: 'false',
  [InputNames.Engine]: 'compose',
} as const;

/** `<service>-url` output for each service that publishes a port. */
export const serviceUrlOutput = (service: string): string => `${service}-url`;

export const StateKeys = {
  Run: 'run',
} as const;
