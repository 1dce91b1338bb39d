import { ComposeCli } from '../compose/compose-cli';
import { ComposeProject } from '../compose/compose-project';
import { WatchedContainer } from '../lifecycle/exits-after-main';
import { PostSettings } from '../lifecycle/post-settings';
import { JoinedNetworks } from '../lifecycle/route';
import { Mode, MODES, readPostSettings, withDefaults } from './inputs';
import { HeldLock } from '../lifecycle/project-lock';
import { StateKeys } from './names';
import { ActionRuntime } from './runtime';

// What main hands to post, saved as one JSON value. Saved before anything is created, and again
// as the run goes on, so a failed or cancelled main still leaves post enough to clean up, and
// post can tell whether this run created anything at all.

export interface RunState {
  /** The resolved project: name, directory, files, env files, profiles. */
  project: ComposeProject;
  /** The compose program found, once known (post runs it only for `down-flags`). */
  compose?: ComposeCli;
  post: PostSettings;
  /** DOCKER_HOST for post's calls: the `docker-host` input, or main's environment's. */
  dockerHost?: string;
  /** The job container main attached to the project's networks; post detaches it first. */
  joined?: JoinedNetworks;
  /** The containers main left up (services judged ready), for post to see which died since. */
  watched?: WatchedContainer[];
  /**
   * Written just before the first call that can create anything. Without it post removes nothing:
   * whatever carries the project's label then was not made by this run.
   */
  creationStarted?: boolean;
  /** Set when main finished; missing after a cancel or crash, which post treats as a failure. */
  outcome?: 'success' | 'failure';
  /** What the run does: `ephemeral` (the stack action), or the preview action's `command`. */
  mode: Mode;
  /** A project lock main holds; post releases it if main could not (a cancel, a crash). */
  lock?: HeldLock;
  /** `logs-artifact`: the folder main writes its part of the artifact to, and post the logs. */
  artifactFolder?: string;
  /** `swarm`: the project is a stack on the swarm the engine manages, removed with `docker stack rm`. */
  engine?: 'swarm';
}

export function encodeState(state: RunState): string {
  return JSON.stringify(state);
}

/** The state main saved, or undefined when there is none (main and post always run the same dist/). */
export function decodeState(text: string): RunState | undefined {
  if (!text.trim()) return undefined;
  let s: Partial<RunState>;
  try {
    s = JSON.parse(text) as Partial<RunState>;
  } catch {
    return undefined;
  }
  const p = s.project;
  const mode = MODES.find((m) => m === s.mode);
  if (typeof p?.name !== 'string' || p.name === '' || !mode) return undefined;
  return {
    project: { name: p.name, workingDirectory: p.workingDirectory ?? '.', files: p.files ?? [], envFiles: p.envFiles ?? [], profiles: p.profiles ?? [] },
    compose: s.compose,
    dockerHost: typeof s.dockerHost === 'string' && s.dockerHost !== '' ? s.dockerHost : undefined,
    // Main writes every setting; a missing one takes the input's default rather than failing post.
    post: { ...readPostSettings(withDefaults(() => '')), ...s.post },
    watched: Array.isArray(s.watched) ? s.watched : undefined,
    joined: s.joined && typeof s.joined.container === 'string' && Array.isArray(s.joined.networks) ? s.joined : undefined,
    creationStarted: s.creationStarted === true,
    outcome: s.outcome,
    mode,
    lock: typeof s.lock?.name === 'string' && typeof s.lock.token === 'string' ? s.lock : undefined,
    artifactFolder: typeof s.artifactFolder === 'string' && s.artifactFolder !== '' ? s.artifactFolder : undefined,
    engine: s.engine === 'swarm' ? 'swarm' : undefined,
  };
}

/** Saves the whole state under its one key; called again whenever it changes. */
export function saveRunState(runtime: Pick<ActionRuntime, 'saveState'>, state: RunState): void {
  runtime.saveState(StateKeys.Run, encodeState(state));
}

export function loadRunState(runtime: Pick<ActionRuntime, 'getState'>): RunState | undefined {
  return decodeState(runtime.getState(StateKeys.Run));
}
