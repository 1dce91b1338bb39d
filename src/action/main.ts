import * as fs from 'fs';
import * as os from 'os';
import { cliName } from '../compose/dialect';
import { Docker, DockerClient } from '../engine/docker';
import { nodeNetworkProbe, NetworkProbe } from '../engine/network-probe';
import { SpawnRunner } from '../engine/process-runner';
import { OwnSurroundings } from '../engine/job-container';
import { InterfaceAddress } from '../engine/reachability';
import { createStack, registerKnownSecrets } from '../lifecycle/create';
import { refuseExistingProject } from '../lifecycle/ownership';
import { readStack, resolveProject } from '../lifecycle/prepare';
import { chooseRoute } from '../lifecycle/route';
import { startStack, watchedContainers } from '../lifecycle/start';
import { Outcomes, StackStartError } from '../readiness/outcomes';
import { SecretRegistry } from '../outputs/secret-registry';
import { getInputs, Inputs } from './inputs';
import { OutputNames } from './names';
import { publish } from './publish';
import { coreRuntime, ActionRuntime } from './runtime';
import { RunState, saveRunState } from './state';

/** What the main step works with; the real ones by default, fakes in unit tests. */
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
}

export function defaultMainDependencies(): MainDependencies {
  return {
    runtime: coreRuntime(),
    docker: (env, signal) => new Docker(new SpawnRunner(), env, signal),
    network: nodeNetworkProbe,
    interfaces: () => os.networkInterfaces(),
    surroundings: readSurroundings,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** The main step: create the stack, start it in dependency order, wait until it is ready. */
export async function run(deps: MainDependencies = defaultMainDependencies()): Promise<void> {
  const { runtime } = deps;
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) runtime.info(`Received ${signal}: stopping; the post step removes the stack.`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await up(
      getInputs((n) => runtime.getInput(n)),
      deps,
      controller.signal,
    );
  } catch (error) {
    runtime.setFailed(error instanceof Error ? error.message : String(error));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** prepare → create → start → publish, saving state for post at each point that changes what it may do. */
async function up(inputs: Inputs, deps: MainDependencies, signal: AbortSignal): Promise<void> {
  const { runtime } = deps;
  const project = resolveProject(inputs, deps.env, deps.cwd);
  // The engine of every docker call, main's and post's: the input, else the environment's.
  const dockerHost = inputs.dockerHost || deps.env.DOCKER_HOST || undefined;
  const env = dockerHost ? { ...deps.env, DOCKER_HOST: dockerHost } : deps.env;
  const state: RunState = { version: 2, project, post: inputs.post, dockerHost };
  const save = () => saveRunState(runtime, state);
  save();
  runtime.setOutput(OutputNames.ProjectName, project.name);
  runtime.info(`Project ${project.name}: ${project.files.join(', ')} in ${project.workingDirectory}`);

  const docker = deps.docker(env, signal);
  const stack = await readStack(docker, inputs, project, env);
  state.compose = stack.cli;
  save();
  const secrets = new SecretRegistry(
    (value) => runtime.setSecret(value),
    (message) => runtime.warning(message),
  );
  await registerKnownSecrets(docker, stack.model, secrets);
  runtime.info(`Compose ${stack.dialect.version} ('${cliName(stack.cli)}'), engine ${stack.engineVersion}`);
  runtime.info(`Start order: ${stack.plan.levels.map((l, i) => `${i}: ${l.join(' ')}`).join(' | ')}`);
  runtime.debug(`Needs: ${JSON.stringify(stack.plan.needs)}`);
  // Mistakes in the inputs are reported first; then, last before creating anything, the name.
  refuseExistingProject(project.name, stack.existing);
  state.creationStarted = true;
  save();

  const created = await createStack(docker, stack, inputs, secrets, runtime);
  runtime.debug(`Created containers: ${JSON.stringify(created.containers)}`);
  const route = await chooseRoute(docker, project.name, {
    dockerHost: stack.endpoint,
    interfaces: deps.interfaces,
    surroundings: deps.surroundings,
    beforeJoin: (joined) => {
      state.joined = joined;
      save();
    },
  });
  runtime.info(route.reachability.description);
  const publishing = { ...inputs, host: inputs.host || route.publishedHost || 'localhost', form: route.form };
  let outcomes: Outcomes;
  try {
    outcomes = await startStack(docker, deps.network, stack, created, {
      ...inputs,
      logLines: inputs.post.logLines,
      reachability: route.reachability,
      publishedHost: route.publishedHost,
      signal,
      log: (line) => runtime.info(line),
    });
  } catch (error) {
    if (error instanceof StackStartError) {
      // A problem writing the outputs must not hide why the stack did not come up.
      await publish(runtime, project.name, stack.model, error.outcomes, publishing, secrets, error).catch((e: Error) =>
        runtime.warning(`Could not write the outputs: ${e.message}`),
      );
    }
    state.outcome = 'failure';
    save();
    throw error;
  }
  await publish(runtime, project.name, stack.model, outcomes, publishing, secrets);
  state.watched = await watchedContainers(docker, outcomes);
  state.outcome = 'success';
  save();
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
