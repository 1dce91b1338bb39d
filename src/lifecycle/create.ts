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
import { creationOrder, ImageNeed, imageNeeds, registryOf } from '../plan/image-needs';
import { FetchSettings, ImageFetcher, refusedImage } from './image-fetcher';
import { puller, pullsDirectly } from './image-pulls';
import { ImageRow } from '../outputs/summary';
import { creationNeeds, dependencyNeeds, StagedCreation, withDependencies } from './staged-create';
import { builtLine, withBuildProgress } from './build-report';
import { BuildProgress } from '../engine/build-progress';

// Creating the stack without starting it (`compose up --no-start`): the action starts the
// containers itself, in dependency order. Secrets are registered before anything can print them.

export interface CreateSettings {
  build: boolean;
  pull: PullPolicy;
  upFlags: string[];
  /** How missing images are pulled ahead of the creation (absent: compose pulls them as it creates). */
  fetch?: FetchSettings;
  /** Where Docker Hub images are pulled from first (input `registry-mirror`). */
  registryMirror?: string;
}

export interface CreateLog {
  info(line: string): void;
  debug(line: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
}

export interface CreatedStack {
  /** Container ids by service. */
  containers: Record<string, string[]>;
  /** The files compose read, absolute, as it recorded them on the containers (none created: undefined). */
  composeFiles?: string[];
  /** The project directory compose chose, as recorded likewise. */
  projectDirectory?: string;
  /** Services still being created while their images arrive, the pulls, and how each image came. */
  arriving?: { staged: StagedCreation; fetcher: ImageFetcher; images: () => ImageRow[] };
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

/** What the stack's images need before its services can be created (see imagePlan). */
export interface ImagePlan {
  /** The images to pull, in the order the stack needs them (none: every image is there). */
  needs: ImageNeed[];
  /** Those on the engine already, for the job summary. */
  onEngine: ImageRow[];
  /** The order services are created in (start order, the run service last). */
  order: string[];
}

/**
 * Which images the engine lacks, asked before anything is created: an image its registry refuses
 * outright fails the step here, so nothing exists to clean up. The registry is asked only where
 * the engine pulls without credentials (elsewhere its answer is not the pull's), and never Docker
 * Hub, which counts the manifest read as a pull against its rate limit.
 */
export async function imagePlan(docker: DockerClient, stack: PreparedStack, pull: PullPolicy): Promise<ImagePlan> {
  const { model, plan } = stack;
  const order = creationOrder(plan, stack.runService);
  if (pull === 'never') return { needs: [], onEngine: [], order };
  const images = [...new Set(order.flatMap((s) => (model.services[s]?.image && !model.services[s].hasBuild ? [model.services[s].image] : [])))];
  const present = new Set((await Promise.all(images.map(async (i) => ((await docker.hasImage(i)) ? i : undefined)))).filter((i) => i !== undefined));
  const needs = imageNeeds(model, order, pull, (i) => present.has(i));
  const onEngine = images
    .filter((i) => present.has(i))
    .map((image): ImageRow => ({ image, services: order.filter((s) => model.services[s]?.image === image), how: 'on the engine' }));
  const refused = await refusedImage(
    needs.filter((n) => pullsDirectly(docker, model, n) && registryOf(n.image) !== 'docker.io'),
    (image) => docker.pullRefusal(image),
  );
  if (refused) throw refused;
  return { needs, onEngine, order };
}

/**
 * Creates the stack. With every image on the engine: one `compose up --no-start` (compose builds
 * what has a `build:`). Else the missing images are pulled in the order the stack needs them, and
 * each service is created as soon as its own image is there (StagedCreation): the first services
 * start while later levels' images still download. Returns once the first services exist; the
 * rest arrive through `arriving`.
 */
export async function createStack(
  docker: DockerClient,
  stack: PreparedStack,
  settings: CreateSettings,
  secrets: SecretRegistry,
  log: CreateLog,
  images?: ImagePlan,
): Promise<CreatedStack> {
  if (!images || images.needs.length === 0 || !settings.fetch) return createAll(docker, stack, settings, secrets, log);
  return createStaged(docker, stack, settings, secrets, log, images.needs, images.order, images.onEngine);
}

/** Everything in one `compose up --no-start`. */
async function createAll(docker: DockerClient, stack: PreparedStack, settings: CreateSettings, secrets: SecretRegistry, log: CreateLog): Promise<CreatedStack> {
  const { cli, model, plan, project } = stack;
  const runService = stack.runService ? [stack.runService] : [];
  // Compose's output stays whole in the group; what it built is said after it.
  const builds = new BuildProgress();
  const started = Date.now();
  const showLine = createLine(secrets, log);
  await log.group(`Creating ${[...plan.services, ...runService].join(', ')} (compose up --no-start)`, async () => {
    try {
      await docker.create(cli, project, { build: settings.build, pull: settings.pull, services: [...plan.services, ...runService], upFlags: settings.upFlags }, (line) => {
        showLine(line);
        builds.take(line);
      });
    } catch (error) {
      throw await explainCreateFailure(docker, model, plan.services, error as Error);
    }
  });
  if (builds.counts.steps > 0) {
    const built = [...plan.services, ...runService].filter((s) => model.services[s]?.hasBuild);
    log.info(builtLine(built.join(', '), builds, (Date.now() - started) / 1000));
  }
  const created = await containersByService(docker, project.name, secrets);
  return { ...created, containers: await withoutRunContainer(docker, stack, created.containers) };
}

/**
 * The run service is created with the rest so its image is built or pulled then; `compose run`
 * makes a container of its own, so the one created with the rest is removed again.
 */
async function withoutRunContainer(docker: DockerClient, stack: PreparedStack, containers: Record<string, string[]>): Promise<Record<string, string[]>> {
  const run = stack.runService;
  if (!run || !(run in containers)) return containers;
  await docker.removeContainers(containers[run]);
  return Object.fromEntries(Object.entries(containers).filter(([s]) => s !== run));
}

/** A build echoes its Dockerfile's ENV lines before the image exists: masked as they pass. */
function maskBuildLine(secrets: SecretRegistry): (line: string) => void {
  return (line) => secrets.add(environmentSecrets(envInBuildLine(line)), 'Dockerfile ENV');
}

function createLine(secrets: SecretRegistry, log: CreateLog): (line: string) => void {
  const mask = maskBuildLine(secrets);
  return (line) => {
    mask(line);
    log.info(line);
  };
}

/** Pulls in the order of need, each service created once its image is in (see StagedCreation). */
async function createStaged(
  docker: DockerClient,
  stack: PreparedStack,
  settings: CreateSettings,
  secrets: SecretRegistry,
  log: CreateLog,
  needs: ImageNeed[],
  order: string[],
  onEngine: ImageRow[],
): Promise<CreatedStack> {
  const { cli, model, project } = stack;
  const fetch = settings.fetch as FetchSettings;
  const fetched = new Set(needs.map((n) => n.image));
  const pulled = needs.flatMap((n) => n.services);
  log.info(`Images to pull, in the order the stack needs them: ${needs.map((n) => n.image).join(', ')}`);
  const fetcher = new ImageFetcher(needs, puller(docker, stack, settings.pull, settings.registryMirror, log), fetch);
  const showLine = createLine(secrets, log);
  const firstFacts: { composeFiles?: string[]; projectDirectory?: string } = {};
  const builds: ImageRow[] = [];
  const needsOf = creationNeeds(model, order);
  const dependenciesOf = dependencyNeeds(model, order);
  const creator = async (services: string[]): Promise<Record<string, string[]>> => {
    // Images just pulled are not pulled again; a build's base images follow the input.
    const pull = services.every((s) => pulled.includes(s)) && settings.pull === 'always' ? 'missing' : settings.pull;
    log.info(`Creating ${services.join(', ')} (compose up --no-start)`);
    const started = Date.now();
    // Builds go in calls of their own (StagedCreation): the call's time and output are theirs.
    const built = services.filter((s) => model.services[s]?.hasBuild);
    const create = (onLine: (line: string) => void) =>
      docker.create(cli, project, { build: settings.build, pull, services: withDependencies(services, dependenciesOf), upFlags: settings.upFlags }, onLine, fetch.signal);
    try {
      await (built.length > 0 ? withBuildProgress(built, log, maskBuildLine(secrets), create) : create(showLine));
    } catch (error) {
      throw await explainCreateFailure(docker, model, services, error as Error);
    }
    const seconds = (Date.now() - started) / 1000;
    for (const s of built) builds.push({ image: model.services[s].image ?? `${project.name}-${s}`, services: [s], how: 'built', seconds });
    const created = await containersByService(docker, project.name, secrets);
    firstFacts.composeFiles ??= created.composeFiles;
    firstFacts.projectDirectory ??= created.projectDirectory;
    return withoutRunContainer(docker, stack, Object.fromEntries(services.map((s) => [s, created.containers[s] ?? []])));
  };
  const imageOf = (s: string) => (fetched.has(model.services[s]?.image ?? '') ? model.services[s].image : undefined);
  const staged = new StagedCreation(order, needsOf, imageOf, (s) => model.services[s]?.hasBuild === true, fetcher, creator);
  staged.start();
  // What exists once the first call is done: enough for the route, the state and the notice.
  const first = await firstCreated(staged, order).catch((e: unknown) => {
    fetcher.stop();
    throw e;
  });
  return { containers: first, ...firstFacts, arriving: { staged, fetcher, images: () => [...fetcher.records, ...builds, ...onEngine] } };
}

/** The containers of the first creation call (its promise is the first to settle). */
async function firstCreated(staged: StagedCreation, order: string[]): Promise<Record<string, string[]>> {
  try {
    return await Promise.any(order.map((s) => staged.containersOf(s) as Promise<Record<string, string[]>>));
  } catch (e) {
    throw e instanceof AggregateError ? e.errors[0] : e;
  }
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
