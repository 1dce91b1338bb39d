import * as path from 'path';
import { DockerClient } from '../engine/docker';
import { JobIdentity } from '../lifecycle/lifetime-record';
import { reapDeadStacks, ReapResult } from '../lifecycle/reaper';
import { MainDependencies } from './dependencies';
import { Inputs } from './inputs';
import { teardownLog } from './runtime';

// Every run, in any mode, first removes what dead runs left on its engine (lifecycle/reaper).
// It runs beside the run's own work and never fails it: a problem is a warning.

export function startReaping(docker: DockerClient, inputs: Inputs, deps: MainDependencies, asking: JobIdentity): Promise<ReapResult | undefined> {
  const { runtime } = deps;
  return reapDeadStacks(docker, () => deps.now(), {
    asking,
    post: inputs.post,
    workingDirectory: path.resolve(deps.cwd, inputs.workingDirectory),
    log: teardownLog(runtime),
  }).catch((e: Error) => {
    runtime.warning(`Could not look for stacks left by dead runs: ${e.message.split('\n')[0]}`);
    return undefined;
  });
}
