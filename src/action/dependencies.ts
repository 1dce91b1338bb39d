import * as fs from 'fs';
import { SwarmCalls, SwarmCli } from '../engine/swarm';
import * as os from 'os';
import { Docker, DockerClient } from '../engine/docker';
import { nodeNetworkProbe, NetworkProbe } from '../engine/network-probe';
import { SpawnRunner } from '../engine/process-runner';
import { OwnSurroundings } from '../engine/job-container';
import { InterfaceAddress } from '../engine/reachability';
import { githubComments, githubPullRequests } from './github-api';
import { PullRequestComments } from '../previews/pr-comment';
import { PullRequestStates } from '../previews/pull-request-state';
import { coreRuntime, ActionRuntime } from './runtime';

// What the main step works with, behind small interfaces: the real ones here, fakes in unit tests.

export interface MainDependencies {
  runtime: ActionRuntime;
  /** The docker module for an environment (DOCKER_HOST and the like) and a cancel signal. */
  docker: (env: NodeJS.ProcessEnv, signal: AbortSignal) => DockerClient;
  network: NetworkProbe;
  /** This machine's network interfaces, read anew each time. */
  interfaces: () => Record<string, InterfaceAddress[] | undefined>;
  /** What tells whether this process runs in a container, and which. */
  surroundings: () => OwnSurroundings;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The pull request's comments, for a token and repository. */
  comments: (token: string, repository: string, apiUrl: string | undefined) => PullRequestComments;
  /** Pull requests' states, for a token and repository (sweep). */
  pullRequests: (token: string, repository: string, apiUrl: string | undefined) => PullRequestStates;
  /** The event that runs the workflow, as the runner wrote it (GITHUB_EVENT_PATH). */
  eventPayload: () => unknown;
  now: () => Date;
  /** The Swarm calls for an environment (`engine: swarm`); the CLI's where not given. */
  swarm?: (env: NodeJS.ProcessEnv, signal?: AbortSignal) => SwarmCalls;
}

/** The docker module main and post use: the CLI (or the Engine API) for an environment and a cancel signal. */
export const dockerFor = (env: NodeJS.ProcessEnv, signal: AbortSignal): DockerClient => new Docker(new SpawnRunner(), env, signal);

/** The Swarm calls main and post use: the CLI, pointed as the environment says. */
export const swarmFor = (env: NodeJS.ProcessEnv, signal?: AbortSignal): SwarmCalls => new SwarmCli(new SpawnRunner(), env, signal);

export function defaultMainDependencies(): MainDependencies {
  return {
    runtime: coreRuntime(),
    docker: dockerFor,
    network: nodeNetworkProbe,
    interfaces: () => os.networkInterfaces(),
    surroundings: readSurroundings,
    env: process.env,
    cwd: process.cwd(),
    comments: githubComments,
    pullRequests: githubPullRequests,
    eventPayload: () => readEventPayload(process.env.GITHUB_EVENT_PATH),
    now: () => new Date(),
  };
}

/** Read once, when the route is chosen; a file that is not there (not Linux, no /proc) reads as empty. */
function readSurroundings(): OwnSurroundings {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  return { dockerenv: fs.existsSync('/.dockerenv'), mountinfo: read('/proc/self/mountinfo'), cgroup: read('/proc/self/cgroup'), hostname: os.hostname() };
}

function readEventPayload(file: string | undefined): unknown {
  if (!file) return {};
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return {};
  }
}
