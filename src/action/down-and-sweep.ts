import * as path from 'path';
import { downProject, enginePlace, PreviewPlace, sweepPreviews, RemovalOptions } from '../previews/previews';
import { swarmPlace } from '../previews/swarm-previews';
import { DockerClient } from '../engine/docker';
import { managerSwarm } from './swarm-stack';
import { previewProjectName, previewTarget } from '../previews/preview-target';
import { validateProjectName } from '../compose/project-name';
import { projectWithoutFiles } from '../compose/compose-project';
import { jobIdentity } from '../lifecycle/lifetime-record';
import { downMarkdown, sweepMarkdown } from '../outputs/summary';
import { MainDependencies } from './dependencies';
import { engineEnvironment, Inputs } from './inputs';
import { OutputNames } from './names';
import { previewCommenter } from '../previews/pr-comment';
import { closedPullRequests } from '../previews/pull-request-state';
import { teardownLog } from './runtime';
import { startReaping } from './reaping';
import { RunState, saveRunState } from './state';

// The two preview commands that only remove: `down` (one deployed project, no compose file needed) and
// `sweep` (every deployed project whose ttl has passed, and the stacks of dead runs). Both run in main; post has nothing to do
// but release a lock a cancel left. With `engine: swarm` the previews are the swarm's stacks.

/** Where the previews are: the engine's compose projects, or (engine: swarm) the stacks of the swarm it manages. */
async function previewPlace(inputs: Inputs, deps: MainDependencies, docker: DockerClient, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<PreviewPlace> {
  return inputs.engine === 'swarm' ? swarmPlace(await managerSwarm(deps, env, signal)) : enginePlace(docker);
}

function removalOptions(inputs: Inputs, deps: MainDependencies, state: RunState, signal: AbortSignal, run?: string): RemovalOptions {
  const { runtime } = deps;
  return {
    post: inputs.post,
    workingDirectory: path.resolve(deps.cwd, inputs.workingDirectory),
    lockWaitMs: inputs.timeoutSeconds * 1000,
    run,
    signal,
    holding: (lock) => {
      state.lock = lock;
      saveRunState(runtime, state);
    },
    log: teardownLog(runtime),
  };
}

export async function down(inputs: Inputs, deps: MainDependencies, signal: AbortSignal): Promise<void> {
  const { runtime } = deps;
  const target = previewTarget(deps.env, deps.eventPayload());
  const name = inputs.projectName ? validateProjectName(inputs.projectName) : previewProjectName(target, path.basename(deps.cwd));
  const env = engineEnvironment(inputs, deps.env);
  const state: RunState = {
    project: projectWithoutFiles(name, deps.cwd),
    post: inputs.post,
    dockerHost: env.DOCKER_HOST,
    mode: 'down',
  };
  saveRunState(runtime, state);
  runtime.setOutput(OutputNames.ProjectName, name);
  const docker = deps.docker(env, signal);
  const reaping = startReaping(docker, inputs, deps, jobIdentity(deps.env, target.runUrl));
  const how = await downProject(await previewPlace(inputs, deps, docker, env, signal), name, removalOptions(inputs, deps, state, signal, target.runUrl));
  if (inputs.comment) await previewCommenter(deps, name, inputs.githubToken, target)({ status: 'removed' }, []);
  state.outcome = 'success';
  saveRunState(runtime, state);
  await runtime.appendSummary(downMarkdown(name, how));
  if (how === 'gone')
    runtime.notice(
      inputs.engine === 'swarm'
        ? `Stack ${name} is already gone: nothing of it is on the swarm.`
        : `Project ${name} is already gone: nothing labelled com.docker.compose.project=${name} is on the engine.`,
    );
  await reaping;
}

export async function sweep(inputs: Inputs, deps: MainDependencies, signal: AbortSignal): Promise<void> {
  const { runtime } = deps;
  const target = previewTarget(deps.env, deps.eventPayload());
  const env = engineEnvironment(inputs, deps.env);
  const state: RunState = {
    project: projectWithoutFiles('sweep', deps.cwd),
    post: inputs.post,
    dockerHost: env.DOCKER_HOST,
    mode: 'sweep',
  };
  saveRunState(runtime, state);
  const docker = deps.docker(env, signal);
  // One after the other: both lines of removals read better apart, and sweep has no hurry.
  const reaped = await startReaping(docker, inputs, deps, jobIdentity(deps.env, target.runUrl));
  const closed = closedPullRequests(deps, inputs.githubToken, target.repository);
  const result = await sweepPreviews(await previewPlace(inputs, deps, docker, env, signal), deps.now(), removalOptions(inputs, deps, state, signal, target.runUrl), closed);
  runtime.setOutput(OutputNames.Removed, JSON.stringify(result.removed.map((r) => r.project)));
  const removed = result.removed.map((r) => `${r.project}${r.pr ? ` (#${r.pr})` : ''}`);
  runtime.info(
    `Sweep: removed ${removed.length} project(s)${removed.length ? `: ${removed.join(', ')}` : ''}; ${result.kept} deployed project(s) left` +
      `${result.skipped.length ? `; ${result.skipped.length} due but left: ${result.skipped.join(', ')}` : ''}` +
      `${reaped?.reaped.length ? `; ${reaped.reaped.length} stack(s) of dead runs removed: ${reaped.reaped.map((r) => r.project).join(', ')}` : ''}.`,
  );
  await runtime.appendSummary(sweepMarkdown(result.removed, result.kept, result.skipped, reaped?.reaped));
  state.outcome = 'success';
  saveRunState(runtime, state);
}
