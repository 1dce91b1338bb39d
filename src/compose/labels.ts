// Labels compose puts on everything it creates: the engine's own record of which project and
// service a container, network or volume belongs to (read instead of compose's printed output).

export const ComposeLabels = {
  Project: 'com.docker.compose.project',
  Service: 'com.docker.compose.service',
  OneOff: 'com.docker.compose.oneoff',
  /** On the runner containers of pre_start hooks (Compose v5+): not a replica of the service. */
  Hook: 'com.docker.compose.hook',
} as const;
