import * as fs from 'fs';
import * as path from 'path';
import { describeReview, reviewComposeFiles } from '../compose/compose-file-check';
import { checkNamedComposeFiles, noComposeFileMessage, resolveWorkingDirectory } from '../compose/compose-files';
import { ComposeModel, parseResolvedConfig } from '../compose/compose-model';
import { ComposeCli } from '../compose/compose-cli';
import { defaultProjectName, validateProjectName } from '../compose/project-name';
import { DockerClient } from '../engine/docker';
import { ComposeProject } from '../compose/compose-project';
import { planStart, StartPlan } from '../plan/dependency-graph';
import { WaitRule } from '../plan/wait-for';
import { ProjectResources } from './ownership';

// Before anything is created: where compose runs, under which name, what compose makes of the
// project there, in which order the services start. Which files, which project directory, which
// .env and profiles: compose decides all of these exactly as for `docker compose up`, and the
// action takes its resolved configuration as the truth.

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
  /** A service run in the foreground once what it needs is ready: not started or judged itself. */
  run?: { service: string };
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
  /** The service `run` names: created with the rest (its image built or pulled), then run by itself. */
  runService?: string;
}

/**
 * The folder compose runs in, the named files checked on disk, the project named: no docker call
 * yet. `defaultName` is a preview's (the same on every run for a pull request); else the name is
 * unique to this step.
 */
export function resolveProject(request: StackRequest, env: NodeJS.ProcessEnv, cwd: string, defaultName?: string): ComposeProject {
  const workingDirectory = resolveWorkingDirectory(request.workingDirectory, cwd);
  const files = checkNamedComposeFiles(request.composeFiles, workingDirectory);
  const name = request.projectName ? validateProjectName(request.projectName) : (defaultName ?? defaultProjectName(env, path.basename(workingDirectory)));
  return { name, workingDirectory, files, envFiles: request.envFiles, profiles: request.profiles };
}

/**
 * Which compose and then its resolved configuration, asked alongside the engine's version and what
 * exists under the project's name (they do not depend on each other). `config` waits for the
 * compose found: the plugin called as its binary costs less than `docker compose config`, which
 * looks up every plugin of the CLI first. A daemon that does not answer is the more basic problem,
 * so it is reported first; then a compose the action does not support.
 */
export async function readStack(docker: DockerClient, request: StackRequest, project: ComposeProject): Promise<PreparedStack> {
  const found = docker.findCompose(request.composeCommand, project.workingDirectory);
  const [cliResult, configResult, versionResult, existingResult, endpointResult] = await Promise.allSettled([
    found,
    found.then(({ cli }) => configOf(docker, cli, project, request)),
    docker.serverVersion(),
    docker.projectResources(project.name),
    docker.endpoint(),
  ]);
  if (versionResult.status === 'rejected') throw versionResult.reason;
  if (endpointResult.status === 'rejected') throw endpointResult.reason;
  if (cliResult.status === 'rejected') throw cliResult.reason;
  const { cli, version: composeVersion } = cliResult.value;
  if (configResult.status === 'rejected') throw configResult.reason;
  const yaml = configResult.value;
  if (existingResult.status === 'rejected') throw existingResult.reason;
  const model = parseResolvedConfig(yaml);
  if (Object.keys(model.services).length === 0) {
    throw await explainConfigFailure(docker, cli, new Error(`The project has no services: compose's configuration of it lists none (in ${project.workingDirectory}).`), project);
  }
  const roots = rootsOf(request, model);
  const plan = planStart(model, roots);
  const unknown = Object.keys(request.waitFor).filter((s) => !plan.services.includes(s));
  if (unknown.length > 0) {
    throw new Error(`Input 'wait-for' names service(s) that will not run: ${unknown.join(', ')}. Services in this stack: ${plan.services.join(', ')}.`);
  }
  return {
    project,
    cli,
    composeVersion,
    model,
    plan,
    engineVersion: versionResult.value,
    endpoint: endpointResult.value,
    existing: existingResult.value,
    configYaml: yaml,
    runService: request.run?.service,
  };
}

/** The services compose is asked about: those named, and the one to run (enabled behind a profile too). */
function configServices(request: StackRequest): string[] {
  return request.run ? [...new Set([...request.services, request.run.service])] : request.services;
}

/**
 * What starts: the services named (else all), or with `run`, those named and what the run service
 * depends on, never the run service itself.
 */
function rootsOf(request: StackRequest, model: ComposeModel): string[] {
  if (!request.run) return request.services.length > 0 ? request.services : Object.keys(model.services);
  const run = request.run.service;
  const needed = (model.services[run]?.dependencies ?? []).map((d) => d.service).filter((s) => s in model.services);
  return [...new Set([...request.services, ...needed])].filter((s) => s !== run);
}

async function configOf(docker: DockerClient, cli: ComposeCli, project: ComposeProject, request: StackRequest): Promise<string> {
  try {
    return await docker.config(cli, project, configServices(request));
  } catch (e) {
    throw await explainConfigFailure(docker, cli, e as Error, project, request.run?.service);
  }
}

/**
 * Compose's refusal, with each mistake in the files pointed at by file, line and column where the
 * action's review of them finds it. The files reviewed: those named, else those compose's message
 * names, else the default names in the folder (only to point at lines: what compose read is not
 * re-derived for anything else).
 */
async function explainConfigFailure(docker: DockerClient, cli: ComposeCli, error: Error, project: ComposeProject, runService?: string): Promise<Error> {
  if (/no configuration file provided/i.test(error.message)) return new Error(noComposeFileMessage(project.workingDirectory, error.message.split('\n').pop() ?? ''));
  const unknown = /no such service: ([^\s:]+)/i.exec(error.message);
  if (unknown) {
    const all = await docker.composeAllServices(cli, project);
    const input = runService === unknown[1] ? 'run' : 'services';
    return new Error(`Unknown service '${unknown[1]}' in '${input}'; the compose configuration defines: ${all.join(', ')}.`);
  }
  const named = [...error.message.matchAll(/(\/[^\s:'"]+\.ya?ml)\b/g)].map((m) => m[1]);
  const files =
    project.files.length > 0 ? project.files : named.length > 0 ? [...new Set(named)] : DEFAULT_FILE_NAMES.filter((f) => fs.existsSync(path.join(project.workingDirectory, f)));
  const pointers = describeReview(reviewComposeFiles(files, project.workingDirectory));
  return pointers ? new Error(`${error.message}\nIn the files:${pointers}`) : error;
}

/** Compose's default file names and their overrides, for pointing at lines only. */
const DEFAULT_FILE_NAMES = [
  'compose.yaml',
  'compose.override.yaml',
  'compose.yml',
  'compose.override.yml',
  'docker-compose.yaml',
  'docker-compose.override.yaml',
  'docker-compose.yml',
  'docker-compose.override.yml',
];
