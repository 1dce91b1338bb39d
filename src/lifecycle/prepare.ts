import * as path from 'path';
import { checkComposeFiles } from '../compose/compose-file-check';
import { locateComposeFiles, resolveWorkingDirectory } from '../compose/compose-files';
import { activeServices, ComposeModel, parseResolvedConfig } from '../compose/compose-model';
import { cliName, ComposeCli, ComposeDialect, detectDialect } from '../compose/dialect';
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
  dialect: ComposeDialect;
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
 * Compose's resolved configuration, the engine's version and what exists under the project's
 * name, asked at once: they do not depend on each other. A daemon that does not answer is the more
 * basic problem, so it is the one reported first.
 */
export async function readStack(docker: DockerClient, request: StackRequest, project: ComposeProject, env: NodeJS.ProcessEnv): Promise<PreparedStack> {
  const [configResult, versionResult, existingResult, endpointResult] = await Promise.allSettled([
    docker.resolveConfig(request.composeCommand, project),
    docker.serverVersion(),
    docker.projectResources(project.name),
    docker.endpoint(),
  ]);
  if (versionResult.status === 'rejected') throw versionResult.reason;
  if (endpointResult.status === 'rejected') throw endpointResult.reason;
  if (configResult.status === 'rejected') {
    // Compose v1's docker library needs paramiko for any ssh:// engine; without it, `config` fails.
    const e = configResult.reason as Error;
    if (endpointResult.value.startsWith('ssh://') && /Install paramiko/.test(e.message)) throw sshRefusal('v1', "'docker-compose'", endpointResult.value);
    throw e;
  }
  if (existingResult.status === 'rejected') throw existingResult.reason;
  const { cli, yaml } = configResult.value;
  const model = parseResolvedConfig(yaml);
  const roots = request.services.length > 0 ? request.services : activeServices(model, request.profiles.concat(profilesFrom(env)), []);
  const plan = planStart(model, roots);
  const unknown = Object.keys(request.waitFor).filter((s) => !plan.services.includes(s));
  if (unknown.length > 0) {
    throw new Error(`Input 'wait-for' names service(s) that will not run: ${unknown.join(', ')}. Services in this stack: ${plan.services.join(', ')}.`);
  }
  const dialect = detectDialect(cli, yaml);
  const endpoint = endpointResult.value;
  if (endpoint.startsWith('ssh://') && !dialect.drivesSshEngines) throw sshRefusal(dialect.version, `'${cliName(cli)}'`, endpoint);
  // The engine came from a Docker context: a compose that does not read contexts would create the
  // stack on the local engine while every other call goes to the context's.
  if (!env.DOCKER_HOST && endpoint !== LOCAL_SOCKET && !dialect.readsContexts) {
    throw new Error(
      `Compose ${dialect.version} ('${cliName(cli)}') does not read Docker contexts, so it would create the stack on another engine than the context's (${endpoint}). Set 'docker-host' (or DOCKER_HOST) to ${endpoint}, or use Compose v2 ('docker compose').`,
    );
  }
  return { project, cli, dialect, model, plan, engineVersion: versionResult.value, endpoint, existing: existingResult.value, configYaml: yaml };
}

function profilesFrom(env: NodeJS.ProcessEnv): string[] {
  return (env.COMPOSE_PROFILES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const LOCAL_SOCKET = 'unix:///var/run/docker.sock';

function sshRefusal(version: string, cli: string, endpoint: string): Error {
  return new Error(
    `Compose ${version} (${cli}) cannot drive the engine at ${endpoint}: its ssh transport hangs. Use Compose v2 ('docker compose', as on GitHub's runners; set 'compose-command' if both are installed), or reach the engine at tcp:// with TLS.`,
  );
}
