import * as fs from 'fs';
import * as path from 'path';
import { ComposeModel } from '../compose/compose-model';
import { ComposeLabels } from '../compose/labels';
import { PullPolicy } from '../compose/compose-cli';
import { DockerClient } from '../engine/docker';
import { SecretRegistry } from '../secrets/secret-registry';
import { composeSecretValues, environmentSecrets, envInBuildLine, MAX_SECRET_FILE_BYTES } from '../secrets/secret-values';
import { PreparedStack } from './prepare';
import { EngineCalls } from '../engine/engine-calls';

// Creating the stack without starting it (`compose up --no-start`): the action starts the
// containers itself, in dependency order. Secrets are registered before anything can print them.

export interface CreateSettings {
  build: boolean;
  pull: PullPolicy;
  upFlags: string[];
}

export interface CreateLog {
  info(line: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export interface CreatedStack {
  /** Container ids by service. */
  containers: Record<string, string[]>;
  /** The files compose read, absolute, as it recorded them on the containers (none created: undefined). */
  composeFiles?: string[];
  /** The project directory compose chose, as recorded likewise. */
  projectDirectory?: string;
}

/**
 * Masks what the environment of the compose model and of the local images hold, before anything
 * is created: compose's create output, and container logs in a failure message, may echo them.
 * Built and pulled images are covered once their containers exist.
 */
export async function registerKnownSecrets(docker: DockerClient, stack: PreparedStack, secrets: SecretRegistry, jobEnv: NodeJS.ProcessEnv): Promise<void> {
  const { model } = stack;
  for (const [name, svc] of Object.entries(model.services)) secrets.add(environmentSecrets(svc.environment), name);
  if (model.secrets.length > 0) secrets.add(composeSecretValues(model.secrets, readSecretFile, await interpolationEnvironment(docker, stack, jobEnv)), "the project's secrets");
  const localImages = [...new Set(Object.values(model.services).flatMap((s) => (s.image ? [s.image] : [])))];
  for (const env of await docker.imageEnvironments(localImages)) secrets.add(environmentSecrets(env), 'image ENV');
}

function readSecretFile(file: string): string | undefined {
  try {
    return fs.statSync(file).size <= MAX_SECRET_FILE_BYTES ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What compose interpolates with, as it prints it; a compose too old to print it gets the job's
 * environment over the .env beside the first file (or in the working directory), which is where
 * compose reads it from.
 */
async function interpolationEnvironment(docker: DockerClient, stack: PreparedStack, jobEnv: NodeJS.ProcessEnv): Promise<Record<string, string | undefined>> {
  const printed = await docker.composeEnvironment(stack.cli, stack.project).catch(() => undefined);
  if (printed) return printed;
  const { project } = stack;
  const dir = project.files.length > 0 ? path.dirname(path.resolve(project.workingDirectory, project.files[0])) : project.workingDirectory;
  return { ...readDotEnv(path.join(dir, '.env')), ...jobEnv };
}

/** `NAME=value` lines, quotes removed; comments and blank lines skipped. */
function readDotEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export async function createStack(docker: DockerClient, stack: PreparedStack, settings: CreateSettings, secrets: SecretRegistry, log: CreateLog): Promise<CreatedStack> {
  const { cli, model, plan, project } = stack;
  // The run service is created with the rest so its image is built or pulled now; `compose run`
  // then makes a container of its own, so the one created here is removed again.
  const runService = stack.runService ? [stack.runService] : [];
  // A build echoes its Dockerfile's ENV lines before the image exists: masked as they pass.
  const showCreateLine = (line: string) => {
    secrets.add(environmentSecrets(envInBuildLine(line)), 'Dockerfile ENV');
    log.info(line);
  };
  await log.group(`Creating ${[...plan.services, ...runService].join(', ')} (compose up --no-start)`, async () => {
    try {
      await docker.create(cli, project, { build: settings.build, pull: settings.pull, services: [...plan.services, ...runService], upFlags: settings.upFlags }, showCreateLine);
    } catch (error) {
      throw await explainCreateFailure(docker, model, plan.services, error as Error);
    }
  });
  const created = await containersByService(docker, project.name, secrets);
  for (const s of runService) {
    await docker.removeContainers(created.containers[s] ?? []);
    delete created.containers[s];
  }
  return created;
}

/**
 * The project's service containers by service, and compose's record of the files it read; their
 * environment is masked before they start.
 */
async function containersByService(docker: EngineCalls, project: string, secrets: SecretRegistry): Promise<CreatedStack> {
  const facts = await docker.inspect(await docker.containerIds(project));
  const created: CreatedStack = { containers: {} };
  for (const f of facts) {
    if (f.labels[ComposeLabels.OneOff] === 'True' || f.labels[ComposeLabels.Hook]) continue;
    // The container's environment holds the image's ENV as built or pulled.
    secrets.add(environmentSecrets(f.env), f.service);
    (created.containers[f.service] ??= []).push(f.id);
    const files = f.labels[ComposeLabels.ConfigFiles];
    if (files && !created.composeFiles) created.composeFiles = files.split(',');
    created.projectDirectory ??= f.labels[ComposeLabels.WorkingDir];
  }
  return created;
}

/** Names the images that are not on the engine and the services that use them. */
async function explainCreateFailure(docker: DockerClient, model: ComposeModel, services: string[], error: Error): Promise<Error> {
  const wanted = services.filter((s) => model.services[s].image && !model.services[s].hasBuild);
  const present = await Promise.all(wanted.map((s) => docker.hasImage(model.services[s].image as string)));
  const missing = wanted.filter((_, i) => !present[i]);
  if (missing.length === 0) return error;
  const names = missing.map((s) => `'${model.services[s].image}' (service '${s}')`).join(', ');
  return new Error(`Image ${names} is not on this engine and could not be pulled. ${error.message}`);
}
