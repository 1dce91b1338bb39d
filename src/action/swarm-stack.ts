import * as os from 'os';
import { engineHostName } from '../engine/reachability';
import { SwarmRole } from '../engine/swarm';
import { PreparedStack } from '../lifecycle/prepare';
import { swarmUp } from '../lifecycle/swarm-up';
import { MainDependencies, swarmFor } from './dependencies';
import { Inputs } from './inputs';
import { OutputNames, serviceUrlOutput } from './names';
import { RunState } from './state';

// `engine: swarm` in the main step: the inputs Swarm cannot honour, the engine's role, then the
// level-by-level deploy (lifecycle/swarm-up.ts) and its outputs. State says `swarm` before the
// first deploy, so post removes the stack with `docker stack rm` whatever happens after.

/** What `engine: swarm` cannot do (yet, or ever: Swarm builds nothing), refused before any docker call. */
export function checkSwarmInputs(inputs: Inputs): void {
  const refused: string[] = [];
  if (inputs.mode !== 'ephemeral') refused.push('the preview action (its deploy, down and sweep run on a single engine only)');
  if (inputs.run) refused.push("'run'");
  if (inputs.build) refused.push("'build: true' (Swarm builds nothing: push the images, or load them on every node)");
  if (inputs.buildCache) refused.push("'build-cache'");
  if (inputs.ports === 'ephemeral') refused.push("'ports: ephemeral' (leave the published port out of the file and Swarm picks one)");
  if (refused.length > 0) throw new Error(`Input 'engine' is swarm, which does not go with ${refused.join(', ')}.`);
}

/**
 * The engine must manage a swarm: a worker cannot deploy, and an engine outside a swarm would need
 * `docker swarm init`, which changes the machine and is the user's to do.
 */
function swarmRoleRefusal(role: SwarmRole, dockerHost: string | undefined): string | undefined {
  if (role.manager) return undefined;
  const engine = dockerHost ? `the engine at ${dockerHost}` : 'the local engine';
  if (role.state === 'active')
    return `Input 'engine' is swarm, but ${engine} is a worker of its swarm, not a manager: stacks are deployed through a manager (point docker-host or DOCKER_HOST at one).`;
  return `Input 'engine' is swarm, but ${engine} is not part of a swarm (its swarm state: ${role.state}${role.error ? `, ${role.error}` : ''}): point docker-host or DOCKER_HOST at a Swarm manager, or make this engine one with 'docker swarm init' before this step.`;
}

/** The stack deployed level by level to the swarm, ready-checked, its URLs published as outputs. */
export async function upOnSwarm(
  stack: PreparedStack,
  inputs: Inputs,
  deps: MainDependencies,
  ctx: { state: RunState; save: () => void; signal: AbortSignal },
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const { runtime } = deps;
  const swarm = (deps.swarm ?? swarmFor)(env, ctx.signal);
  const refusal = swarmRoleRefusal(await swarm.role(), env.DOCKER_HOST);
  if (refusal) throw new Error(refusal);
  ctx.state.engine = 'swarm';
  ctx.state.creationStarted = true;
  ctx.save();
  try {
    const reports = await swarmUp(
      swarm,
      deps.network,
      {
        stack: stack.project.name,
        model: stack.model,
        plan: stack.plan,
        configYaml: stack.configYaml,
        waitFor: inputs.waitFor,
        timeoutSeconds: inputs.timeoutSeconds,
        host: inputs.host || engineHostName(env.DOCKER_HOST) || 'localhost',
        directory: deps.env.RUNNER_TEMP || os.tmpdir(),
        signal: ctx.signal,
      },
      runtime,
    );
    const urls = Object.fromEntries(Object.entries(reports).flatMap(([s, r]) => (r.url ? [[s, r.url]] : [])));
    runtime.setOutput(OutputNames.Services, JSON.stringify(reports));
    runtime.setOutput(OutputNames.Urls, JSON.stringify(urls));
    for (const [service, url] of Object.entries(urls)) runtime.setOutput(serviceUrlOutput(service), url);
    ctx.state.outcome = 'success';
  } catch (error) {
    ctx.state.outcome = 'failure';
    throw error;
  } finally {
    ctx.save();
  }
}
