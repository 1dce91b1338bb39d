import * as path from 'path';
import { checkComposeFiles } from '../compose/compose-file-check';
import { locateComposeFiles, resolveWorkingDirectory } from '../compose/compose-files';
import { ComposeModel, parseResolvedConfig } from '../compose/compose-model';
import { cliFromCommand, ComposeCli, DOCKER_COMPOSE, sameCli } from '../compose/compose-cli';
import { defaultProjectName, validateProjectName } from '../compose/project-name';
import { DockerClient } from '../engine/docker';
import { ComposeProject } from '../engine/docker-args';
import { planStart, StartPlan } from '../plan/dependency-graph';
import { WaitRule } from '../plan/wait-for';
import { ProjectResources } from './ownership';

// Before anything is created: which files, which project, what compose makes of them, in which
// order the services start.

/** What the workflow asked for (the inputs that shape the stack). */
export interface StackRequest {
  composeFiles: string[];
  workingDirectory: string;
  projectName: string;
  envFiles: string[];
  profiles: string[];
  services: string[];
  composeCommand?: string[];
  waitFor: Record<string, WaitRule>;
}

export interface PreparedStack {
  project: ComposeProject;
  cli: ComposeCli;
  /** As `compose version --short` printed it. */
  composeVersion: string;
  model: ComposeModel;
  plan: StartPlan;
  engineVersion: string;
  /** The engine's address as the CLI resolves it (DOCKER_HOST, a context, the local socket). */
  endpoint: string;
  /** What already carries the project's label on the engine (nothing, for a run allowed to go on). */
  existing: ProjectResources;
  /** Compose's resolved configuration as it printed it. */
  configYaml: string;
}

/**
 * Files located and checked on disk, the project named: no docker call yet. `defaultName` is a
 * preview's (the same on every run for a pull request); else the name is unique to this step.
 */
export function resolveProject(request: StackRequest, env: NodeJS.ProcessEnv, cwd: string, defaultName?: string): ComposeProject {
  const workingDirectory = resolveWorkingDirectory(request.workingDirectory, cwd);
  const files = locateComposeFiles(request.composeFiles, workingDirectory);
  checkComposeFiles(files, workingDirectory);
  const name = request.projectName ? validateProjectName(request.projectName) : (defaultName ?? defaultProjectName(env, path.basename(workingDirectory)));
  return { name, workingDirectory, files, envFiles: request.envFiles, profiles: request.profiles };
}

/**
 * Which compose, its resolved configuration, the engine's version and what exists under the
 * project's name, asked at once: they do not depend on each other (`config` runs with the compose
 * most likely to be found, and again only where another was). A daemon that does not answer is
 * the more basic problem, so it is reported first; then a compose the action does not support.
 */
export async function readStack(docker: DockerClient, request: StackRequest, project: ComposeProject): Promise<PreparedStack> {
  const likely: ComposeCli = request.composeCommand ? cliFromCommand(request.composeCommand) : DOCKER_COMPOSE;
  const [cliResult, configResult, versionResult, existingResult, endpointResult] = await Promise.allSettled([
    docker.findCompose(request.composeCommand, project.workingDirectory),
    docker.config(likely, project),
    docker.serverVersion(),
    docker.projectResources(project.name),
    docker.endpoint(),
  ]);
  if (versionResult.status === 'rejected') throw versionResult.reason;
  if (endpointResult.status === 'rejected') throw endpointResult.reason;
  if (cliResult.status === 'rejected') throw cliResult.reason;
  const { cli, version: composeVersion } = cliResult.value;
  if (configResult.status === 'rejected' && sameCli(cli, likely)) throw configResult.reason;
  const yaml = configResult.status === 'fulfilled' && sameCli(cli, likely) ? configResult.value : await docker.config(cli, project);
  if (existingResult.status === 'rejected') throw existingResult.reason;
  const model = parseResolvedConfig(yaml);
  const roots = request.services.length > 0 ? request.services : Object.keys(model.services);
  const plan = planStart(model, roots);
  const unknown = Object.keys(request.waitFor).filter((s) => !plan.services.includes(s));
  if (unknown.length > 0) {
    throw new Error(`Input 'wait-for' names service(s) that will not run: ${unknown.join(', ')}. Services in this stack: ${plan.services.join(', ')}.`);
  }
  return { project, cli, composeVersion, model, plan, engineVersion: versionResult.value, endpoint: endpointResult.value, existing: existingResult.value, configYaml: yaml };
}
