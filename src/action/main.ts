import * as os from 'os';
import * as path from 'path';
import { cliName } from '../compose/compose-cli';
import { replacedNameNotice } from '../compose/project-name';
import { DockerClient } from '../engine/docker';
import { CreatedStack, createStack, ImagePlan, imagePlan, registerKnownSecrets } from '../lifecycle/create';
import { JobIdentity, jobIdentity } from '../lifecycle/lifetime-record';
import { ARTIFACT_FILES, keepSecrets, writeArtifactFile } from '../lifecycle/log-collection';
import { PreparedStack, readStack, resolveProject } from '../lifecycle/prepare';
import { containerLocks, releaseProjectLock } from '../lifecycle/project-lock';
import { changeStack } from '../lifecycle/stack-changes';
import { buildingServices, checkBuildCache, keepNewLocalCaches } from '../lifecycle/build-cache';
import { BuildCache, describeBuildCache, inWorkspace } from '../compose/build-cache';
import { jobStack, UpKind } from '../lifecycle/up-kind';
import { previewCommenter } from '../previews/pr-comment';
import { previewDeploy } from '../previews/preview-deploy';
import { PreviewTarget, previewProjectName, previewTarget, previewUrls } from '../previews/preview-target';
import { chooseRoute } from '../lifecycle/route';
import { startStack, watchedContainers } from '../lifecycle/start';
import { Outcomes, StackStartError } from '../readiness/outcomes';
import { withoutEarlierComposeExports } from '../outputs/compose-env';
import { Publication } from '../outputs/publication';
import { SecretRegistry } from '../secrets/secret-registry';
import { hideSecrets } from '../secrets/secret-values';
import { StackReport } from '../outputs/service-report';
import { urlTemplateFields } from '../outputs/url-template';
import { listenForCancel } from './cancellation';
import { defaultMainDependencies, MainDependencies } from './dependencies';
import { describeDuration } from './input-parsing';
import { ActionKind, engineEnvironment, getInputs, Inputs, RunRequest, stackLifetime } from './inputs';
import { startReaping } from './reaping';
import { OutputNames } from './names';
import { checkSwarmInputs, upOnSwarm } from './swarm-stack';
import { publish } from './publish';
import { down, sweep } from './down-and-sweep';
import { ActionRuntime } from './runtime';
import { RunState, saveRunState } from './state';
import { errorText } from '../compose/error-text';

export type { MainDependencies } from './dependencies';

export { defaultMainDependencies } from './dependencies';

/**
 * The main step of either action: create the stack, start it in dependency order, wait until it is
 * ready (the root action, and the preview action's deploy); or remove previews (down, sweep).
 */
export async function run(deps: MainDependencies = defaultMainDependencies(), action: ActionKind = 'stack'): Promise<void> {
  const { runtime } = deps;
  const cancel = listenForCancel((l) => runtime.info(l), 'stopping; the post step cleans up.');
  try {
    const inputs = getInputs((n) => runtime.getInput(n), action);
    if (inputs.githubToken) runtime.setSecret(inputs.githubToken);
    if (inputs.mode === 'down') await down(inputs, deps, cancel.signal);
    else if (inputs.mode === 'sweep') await sweep(inputs, deps, cancel.signal);
    else await up(inputs, deps, cancel.signal);
  } catch (error) {
    runtime.setFailed(error instanceof Error ? error.message : String(error));
  } finally {
    cancel.dispose();
  }
}

/**
 * prepare → create → start → publish, saving state for post at each point that changes what it may
 * do. The kind (the stack action's stack, or a preview deploy) decides what differs.
 */
async function up(inputs: Inputs, deps: MainDependencies, signal: AbortSignal): Promise<void> {
  const { runtime } = deps;
  const target = previewTarget(deps.env, deps.eventPayload());
  checkPreviewInputs(inputs, target);
  if (inputs.engine === 'swarm') checkSwarmInputs(inputs);
  const deploying = inputs.mode === 'deploy';
  const project = resolveProject(inputs, deps.env, deps.cwd, deploying && !inputs.projectName ? previewProjectName(target, path.basename(deps.cwd)) : undefined);
  // Compose reads this use's project as its inputs and files say, not what an earlier use exported.
  const env = withoutEarlierComposeExports(engineEnvironment(inputs, deps.env));
  const state: RunState = { project, post: inputs.post, dockerHost: env.DOCKER_HOST, mode: inputs.mode };
  if (inputs.post.logsArtifact) state.artifactFolder = path.join(deps.env.RUNNER_TEMP || os.tmpdir(), `ephemeral-compose-artifact-${project.name}`);
  const save = () => saveRunState(runtime, state);
  save();
  runtime.setOutput(OutputNames.ProjectName, project.name);
  runtime.info(`Project ${project.name}: ${project.files.length > 0 ? project.files.join(', ') : "compose's default files"} in ${project.workingDirectory}`);

  const docker = deps.docker(env, signal);
  const job = jobIdentity(deps.env, target.runUrl);
  const reaping = startReaping(docker, inputs, deps, job);
  const kind = deploying ? deployKind(inputs, deps, project.name, target, signal) : stackKind(inputs, deps, job);
  // On Swarm the lock is the swarm's (swarm-stack.ts), taken once the engine is known to manage one.
  state.lock = inputs.engine === 'swarm' ? undefined : await kind.lock(docker);
  if (state.lock) save();
  const secrets = new SecretRegistry(
    (value) => runtime.setSecret(value),
    (message) => runtime.warning(message),
  );
  let created = false;
  const context: UpContext = { docker, signal, state, save, secrets, target, kind };
  try {
    let stack = await readStack(docker, inputs, project);
    // Asked while the stack is created; only a notice depends on it.
    context.ownName = inputs.projectName ? Promise.resolve(undefined) : docker.composeOwnName(stack.cli, project).catch(() => undefined);
    state.compose = stack.cli;
    save();
    await registerKnownSecrets(docker, stack, secrets, env);
    runtime.info(`Compose ${stack.composeVersion} ('${cliName(stack.cli)}'), engine ${stack.engineVersion}`);
    runtime.info(`Start order: ${stack.plan.levels.map((l, i) => `${i}: ${l.join(' ')}`).join(' | ')}`);
    runtime.debug(`Needs: ${JSON.stringify(stack.plan.needs)}`);
    if (inputs.engine === 'swarm') {
      await upOnSwarm(stack, inputs, deps, { state, save, signal, target, secrets }, env);
      return;
    }
    // Mistakes in the inputs are reported first; then, last before creating anything, the name.
    await kind.checkExisting(docker, stack);
    const buildCache = inputs.buildCache && inWorkspace(inputs.buildCache, deps.cwd);
    if (buildCache) {
      context.buildCache = { cache: buildCache, services: buildingServices(stack.model) };
      await checkBuildCache(docker, buildCache, context.buildCache.services, env);
    }
    stack = changeStack(stack, {
      ephemeralPorts: inputs.ports === 'ephemeral',
      labels: kind.labels(project.name),
      buildCache,
      directory: deps.env.RUNNER_TEMP || os.tmpdir(),
    });
    state.project = stack.project;
    // Which images must be pulled, and whether their registries have them: before anything exists.
    context.images = await imagePlan(docker, stack, inputs.pull);
    state.creationStarted = true;
    save();
    await kind.beforeCreate(docker, stack);
    created = true;
    await createStartPublish(stack, inputs, deps, context);
  } catch (error) {
    if (created) await kind.failed(errorText(error), context.report, secrets.all());
    throw error;
  } finally {
    if (state.lock) {
      // After a cancel this call may be cut short too: the lock then stays in state for post.
      const released = await releaseProjectLock(containerLocks(docker), state.lock).catch(() => false);
      if (released) {
        state.lock = undefined;
        save();
      }
    }
    await reaping;
  }
}

function stackKind(inputs: Inputs, deps: MainDependencies, job: JobIdentity): UpKind {
  return jobStack({ job, lifetimeSeconds: stackLifetime(inputs), now: deps.now, describeDuration, debug: (l) => deps.runtime.debug(l) });
}

function deployKind(inputs: Inputs, deps: MainDependencies, project: string, target: PreviewTarget, signal: AbortSignal): UpKind {
  return previewDeploy({
    project,
    target,
    lockWaitMs: inputs.timeoutSeconds * 1000,
    ttlSeconds: inputs.ttlSeconds,
    stopTimeoutSeconds: inputs.post.stopTimeoutSeconds,
    signal,
    now: deps.now,
    log: deps.runtime,
    describeDuration,
    commenter: inputs.comment ? (expiresAt) => previewCommenter(deps, project, inputs.githubToken, target, expiresAt) : undefined,
  });
}

interface UpContext {
  docker: DockerClient;
  signal: AbortSignal;
  state: RunState;
  save: () => void;
  secrets: SecretRegistry;
  target: PreviewTarget;
  kind: UpKind;
  /** The name compose would give the project on its own. */
  ownName?: Promise<string | undefined>;
  /** What the outputs said, for the comment on a failure. */
  report?: StackReport;
  /** The images to pull before their services can be created. */
  images?: ImagePlan;
  /** Where the services that build keep their cache. */
  buildCache?: { cache: BuildCache; services: string[] };
}

/** Creation of a service may go on while others start (their images arrive later). */
async function createStartPublish(stack: PreparedStack, inputs: Inputs, deps: MainDependencies, ctx: UpContext): Promise<void> {
  const { runtime } = deps;
  const { docker, secrets } = ctx;
  const fetch = { deadline: Date.now() + inputs.timeoutSeconds * 1000, signal: ctx.signal, log: (line: string) => runtime.info(line) };
  const created = await createStack(
    docker,
    stack,
    { ...inputs, upFlags: [...ctx.kind.upFlags, ...inputs.upFlags], fetch, registryMirror: inputs.registryMirror || undefined },
    secrets,
    runtime,
    ctx.images,
  );
  try {
    await startPublishRun(stack, created, inputs, deps, ctx);
  } finally {
    // Pulls still under way after a failure end with the step.
    created.arriving?.fetcher.stop();
    keepBuiltCaches(ctx, runtime);
  }
}

/** New local caches replace the ones they were built from, whatever came of the step after the builds. */
function keepBuiltCaches(ctx: UpContext, log: { info(line: string): void; warning(line: string): void }): void {
  if (!ctx.buildCache) return;
  const { cache, services } = ctx.buildCache;
  try {
    const kept = keepNewLocalCaches(cache, services);
    if (kept.length > 0) log.info(`Build cache of ${kept.join(', ')} saved to ${describeBuildCache(cache)}`);
  } catch (e) {
    log.warning(`Could not keep the new build cache (${describeBuildCache(cache)}): ${errorText(e)}`);
  }
}

async function startPublishRun(stack: PreparedStack, created: CreatedStack, inputs: Inputs, deps: MainDependencies, ctx: UpContext): Promise<void> {
  const { runtime } = deps;
  const { docker, state, save, secrets } = ctx;
  const project = stack.project;
  keepForArtifact(ctx, ARTIFACT_FILES.config, stack.configYaml, runtime);
  runtime.debug(`Created containers: ${JSON.stringify(created.containers)}`);
  // Compose's own record of the files it read: what post and later steps hand it again.
  const composeFiles = created.composeFiles ?? project.files.map((f) => path.resolve(project.workingDirectory, f));
  state.project = { ...project, files: composeFiles };
  save();
  const notice = replacedNameNotice(await ctx.ownName, project.name, created.projectDirectory);
  if (notice) runtime.notice(notice);
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
  const preview = inputs.urlTemplate ? previewUrls(inputs.urlTemplate, project.name, ctx.target) : undefined;
  const publishing = {
    ...inputs,
    host: inputs.host || route.publishedHost || 'localhost',
    form: route.form,
    preview,
    compose: { projectName: project.name, files: composeFiles, profiles: inputs.profiles, envFiles: project.envFiles.map((f) => path.resolve(project.workingDirectory, f)) },
    jobEnv: deps.env,
    // Read when the outputs are written: by then the pulls the wait needed are done.
    get images() {
      return created.arriving?.images();
    },
  };
  let outcomes: Outcomes;
  try {
    outcomes = await startStack(docker, deps.network, stack, created, {
      ...inputs,
      logLines: inputs.post.logLines,
      reachability: route.reachability,
      publishedHost: route.publishedHost,
      signal: ctx.signal,
      log: (line) => runtime.info(line),
    });
  } catch (error) {
    if (error instanceof StackStartError) {
      // A problem writing the outputs must not hide why the stack did not come up.
      const p = await publish(runtime, project.name, stack.model, error.outcomes, publishing, secrets, error).catch((e: Error) => {
        runtime.warning(`Could not write the outputs: ${e.message}`);
        return undefined;
      });
      ctx.report = p?.report;
      if (p) keepReadiness(ctx, p, runtime);
    }
    state.outcome = 'failure';
    save();
    throw error;
  }
  const p = await publish(runtime, project.name, stack.model, outcomes, publishing, secrets);
  keepReadiness(ctx, p, runtime);
  state.watched = await watchedContainers(docker, outcomes);
  state.outcome = 'success';
  save();
  await ctx.kind.ready(p.report, secrets.all());
  if (inputs.run) {
    // Its image may be the last to arrive.
    await created.arriving?.staged.containersOf(inputs.run.service);
    await runInForeground(stack, inputs.run, inputs.runTimeoutSeconds, runtime, ctx);
  }
}

/**
 * `run`: the service in the foreground once all it needs is ready; its output is the step's, its
 * exit code the step's result (post then treats the run as failed: logs as on a failure).
 */
async function runInForeground(stack: PreparedStack, run: RunRequest, timeoutSeconds: number | undefined, runtime: ActionRuntime, ctx: UpContext): Promise<void> {
  const { state, save } = ctx;
  runtime.info(`Running ${run.service}${run.command.length > 0 ? ` (${run.command.join(' ')})` : ''}: compose run, in the foreground`);
  const started = Date.now();
  let code: number;
  try {
    code = await ctx.docker.composeRun(
      stack.cli,
      stack.project,
      run.service,
      run.command,
      (line) => runtime.info(line),
      timeoutSeconds !== undefined ? timeoutSeconds * 1000 : undefined,
    );
  } catch (error) {
    state.outcome = 'failure';
    save();
    const message = errorText(error);
    throw new Error(/timed out/.test(message) ? `'${run.service}' did not finish within run-timeout (${timeoutSeconds} s).` : `Running '${run.service}' failed: ${message}`);
  }
  runtime.setOutput(OutputNames.RunExitCode, String(code));
  runtime.info(`${run.service} exited with ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (code !== 0) {
    state.outcome = 'failure';
    save();
    throw new Error(`${run.service} exited with ${code}.`);
  }
}

/** `logs-artifact`: main's part of the artifact, secrets hidden; a failure to write it is a warning. */
function keepForArtifact(ctx: UpContext, name: string, text: string, runtime: ActionRuntime): void {
  const folder = ctx.state.artifactFolder;
  if (!folder) return;
  try {
    writeArtifactFile(folder, name, hideSecrets(text, ctx.secrets.all()));
    keepSecrets(folder, ctx.secrets.all());
  } catch (e) {
    runtime.warning(`Could not keep ${name} for the logs artifact: ${errorText(e)}`);
  }
}

function keepReadiness(ctx: UpContext, p: Publication, runtime: ActionRuntime): void {
  keepForArtifact(ctx, ARTIFACT_FILES.readiness, `${JSON.stringify({ services: JSON.parse(p.servicesJson) as unknown, lines: p.lines }, null, 2)}\n`, runtime);
}

/** A template that cannot be filled on this event. */
function checkPreviewInputs(inputs: Inputs, target: PreviewTarget): void {
  if (inputs.urlTemplate && urlTemplateFields(inputs.urlTemplate).includes('pr') && target.pr === undefined) {
    throw new Error(`Input 'url-template' uses {pr}, but this run is not for a pull request (event ${target.event || 'unknown'}): use {branch} or {project} instead.`);
  }
}
