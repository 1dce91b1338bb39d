// Labels compose puts on everything it creates: the engine's own record of which project and
// service a container, network or volume belongs to (read instead of compose's printed output).

export const ComposeLabels = {
  Project: 'com.docker.compose.project',
  Service: 'com.docker.compose.service',
  OneOff: 'com.docker.compose.oneoff',
  /** On the runner containers of pre_start hooks (Compose v5+): not a replica of the service. */
  Hook: 'com.docker.compose.hook',
  /** The files compose read for the project, absolute, comma-separated: its own answer to "which files". */
  ConfigFiles: 'com.docker.compose.project.config_files',
  /** The project directory compose chose. */
  WorkingDir: 'com.docker.compose.project.working_dir',
  /** Compose's hash of the service's configuration: equal to `config --hash`'s for the same project. */
  ConfigHash: 'com.docker.compose.config-hash',
} as const;

/** The label `docker stack deploy` puts on everything of a stack; `docker stack rm` removes what carries it. */
export const StackLabels = {
  Namespace: 'com.docker.stack.namespace',
} as const;

/**
 * Labels this action puts on what it deploys as a preview (the preview action's `command: deploy`). Containers, networks
 * and volumes carry the stable ones, which compose folds into its configuration hash: a label that
 * changed on every push would recreate every service. What changes per deploy (commit, expiry)
 * lives on the project's deploy record, a volume rewritten on each deploy.
 */
export const PreviewLabels = {
  /** On everything deployed; its value is the project's name. */
  Deployed: 'ephemeral-compose.deployed',
  /** The pull request it was deployed for, when there is one. */
  PullRequest: 'ephemeral-compose.pr',
  /** On the deploy record only: the project's name. */
  Record: 'ephemeral-compose.record',
  Commit: 'ephemeral-compose.commit',
  Branch: 'ephemeral-compose.branch',
  /** On the deploy record: owner/name, whose pull request `sweep` asks about. */
  Repository: 'ephemeral-compose.repository',
  /** ISO 8601 time after which `sweep` removes the project; absent without a ttl. */
  Expires: 'ephemeral-compose.expires',
  DeployedAt: 'ephemeral-compose.deployed-at',
  /** The workflow run that deployed (or holds the lock), as a URL. */
  Run: 'ephemeral-compose.run',
  /** On a project's lock container: the project's name. */
  Lock: 'ephemeral-compose.lock',
  /** On a lock container: unique to the run holding it, so only that run releases it. */
  LockToken: 'ephemeral-compose.lock-token',
  /** On a lock container: ISO 8601 time after which another run may take the lock over. */
  LeaseUntil: 'ephemeral-compose.lease-until',
} as const;

/**
 * Labels of an ephemeral stack's lifetime record (a volume of the project, see lifetime-record):
 * which job made the stack and until when it may live. The reaper removes, at the start of a later
 * run, a stack whose time is over; a stack without a record is never touched.
 */
export const LifetimeLabels = {
  /** On the record only: the project's name. */
  Lifetime: 'ephemeral-compose.lifetime',
  /** ISO 8601 time after which no job that made the stack can still be running. */
  LiveUntil: 'ephemeral-compose.live-until',
  CreatedAt: 'ephemeral-compose.created-at',
  /** The workflow run that made the stack, as a URL (the same label as a preview's). */
  Run: PreviewLabels.Run,
  /** The job that made it: run id, attempt and job id, so a job never reaps its own stacks. */
  Job: 'ephemeral-compose.job',
} as const;
