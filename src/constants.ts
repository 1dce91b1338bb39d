// Every name the workflow contract exposes lives here, so action.yml, main and post agree.

export const Inputs = {
  ComposeFile: 'compose-file',
  WorkingDirectory: 'working-directory',
  ProjectName: 'project-name',
  Services: 'services',
  Profiles: 'profiles',
  EnvFile: 'env-file',
  Build: 'build',
  Pull: 'pull',
  Timeout: 'timeout',
  WaitFor: 'wait-for',
  Teardown: 'teardown',
  Logs: 'logs',
  LogLines: 'log-lines',
  StopTimeout: 'stop-timeout',
  Host: 'host',
  ExportEnv: 'export-env',
  EnvPrefix: 'env-prefix',
  ComposeCommand: 'compose-command',
  UpFlags: 'up-flags',
  DownFlags: 'down-flags',
  FailOnExit: 'fail-on-exit',
} as const;

export const Outputs = {
  ProjectName: 'project-name',
  Urls: 'urls',
  Services: 'services',
} as const;

/** `<service>-url` output for each service that publishes a port. */
export const serviceUrlOutput = (service: string): string => `${service}-url`;

export const StateKeys = {
  Run: 'run',
} as const;

/** Files looked for, in this order, when `compose-file` is empty (Compose's own order). */
export const DEFAULT_COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export const ComposeLabels = {
  Project: 'com.docker.compose.project',
  Service: 'com.docker.compose.service',
  OneOff: 'com.docker.compose.oneoff',
  /** On the runner containers of pre_start hooks (Compose v5+): not a replica of the service. */
  Hook: 'com.docker.compose.hook',
} as const;
