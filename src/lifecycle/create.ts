import { ComposeModel } from '../compose/compose-model';
import { ComposeLabels } from '../compose/labels';
import { PullPolicy } from '../compose/compose-cli';
import { DockerClient } from '../engine/docker';
import { SecretRegistry } from '../outputs/secret-registry';
import { environmentSecrets, envInBuildLine } from '../outputs/secrets';
import { PreparedStack } from './prepare';

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
export async function registerKnownSecrets(docker: DockerClient, model: ComposeModel, secrets: SecretRegistry): Promise<void> {
  for (const [name, svc] of Object.entries(model.services)) secrets.add(environmentSecrets(svc.environment), name);
  const localImages = [...new Set(Object.values(model.services).flatMap((s) => (s.image ? [s.image] : [])))];
  for (const env of await docker.imageEnvironments(localImages)) secrets.add(environmentSecrets(env), 'image ENV');
}

export async function createStack(docker: DockerClient, stack: PreparedStack, settings: CreateSettings, secrets: SecretRegistry, log: CreateLog): Promise<CreatedStack> {
  const { cli, model, plan, project } = stack;
  // A build echoes its Dockerfile's ENV lines before the image exists: masked as they pass.
  const showCreateLine = (line: string) => {
    secrets.add(environmentSecrets(envInBuildLine(line)), 'Dockerfile ENV');
    log.info(line);
  };
  await log.group(`Creating ${plan.services.join(', ')} (compose up --no-start)`, async () => {
    try {
      await docker.create(cli, project, { build: settings.build, pull: settings.pull, services: plan.services, upFlags: settings.upFlags }, showCreateLine);
    } catch (error) {
      throw await explainCreateFailure(docker, model, plan.services, error as Error);
    }
  });
  return containersByService(docker, project.name, secrets);
}

/**
 * The project's service containers by service, and compose's record of the files it read; their
 * environment is masked before they start.
 */
async function containersByService(docker: DockerClient, project: string, secrets: SecretRegistry): Promise<CreatedStack> {
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
