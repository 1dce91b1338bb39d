import * as os from 'os';
import { errorText } from '../compose/error-text';
import { engineHostName } from '../engine/reachability';
import { SwarmCalls, SwarmRole } from '../engine/swarm';
import { PreparedStack } from '../lifecycle/prepare';
import { releaseLockOrWarn, swarmLocks } from '../lifecycle/project-lock';
import { SwarmServiceReport, swarmUp } from '../lifecycle/swarm-up';
import { variablesToExport } from '../outputs/publication';
import { swarmSummaryMarkdown } from '../outputs/summary';
import { previewServiceUrl } from '../outputs/url-template';
import { DeployRecord, deployedLabels } from '../previews/deploy-record';
import { Commenter, previewCommenter } from '../previews/pr-comment';
import { PreviewTarget, previewUrls } from '../previews/preview-target';
import { beginSwarmPreview } from '../previews/swarm-previews';
import { SecretRegistry } from '../secrets/secret-registry';
import { describeDuration } from './input-parsing';
import { MainDependencies, swarmFor } from './dependencies';
import { Inputs } from './inputs';
import { OutputNames, serviceUrlOutput } from './names';
import { RunState } from './state';

// `engine: swarm` in the main step: the inputs Swarm cannot honour, the engine's role, then the
// level-by-level deploy (lifecycle/swarm-up.ts) and its outputs. State says `swarm` before the
// first deploy, so post removes the stack with `docker stack rm` whatever happens after (a
// preview's deploy, under the swarm's lock for the project, is left up).

/** What `engine: swarm` cannot do (Swarm builds nothing; `run` is one engine's container), refused before any docker call. */
export function checkSwarmInputs(inputs: Inputs): void {
  const refused: string[] = [];
  if (inputs.run) refused.push("'run'");
  if (inputs.build) refused.push("'build: true' (Swarm builds nothing: push the images, or load them on every node)");
  if (inputs.buildCache) refused.push("'build-cache'");
  // These read one engine's containers; on Swarm they would do nothing, which nobody should believe they did.
  if (inputs.post.logsArtifact) refused.push("'logs-artifact' (post prints the services' logs with docker service logs, as 'logs' says)");
  if (inputs.maxLifetimeSeconds !== undefined) refused.push("'max-lifetime' (its reaper removes compose projects of one engine; remove a dead run's stack with docker stack rm)");
  if (inputs.post.failOnExit) refused.push("'fail-on-exit'");
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

interface SwarmContext {
  state: RunState;
  save: () => void;
  signal: AbortSignal;
  target: PreviewTarget;
  secrets: SecretRegistry;
}

/** The Swarm calls, once the engine is known to manage a swarm. */
export async function managerSwarm(deps: MainDependencies, env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<SwarmCalls> {
  const swarm = (deps.swarm ?? swarmFor)(env, signal);
  const refusal = swarmRoleRefusal(await swarm.role(), env.DOCKER_HOST);
  if (refusal) throw new Error(refusal);
  return swarm;
}

/** The stack deployed level by level to the swarm, ready-checked, its URLs published as outputs; a preview left up, recorded and commented. */
export async function upOnSwarm(stack: PreparedStack, inputs: Inputs, deps: MainDependencies, ctx: SwarmContext, env: NodeJS.ProcessEnv): Promise<void> {
  const { runtime } = deps;
  const { state, save, target } = ctx;
  const project = stack.project.name;
  const swarm = await managerSwarm(deps, env, ctx.signal);
  const preview = inputs.mode === 'deploy';
  let record: DeployRecord | undefined;
  const comment = preview && inputs.comment ? previewCommenter(deps, project, inputs.githubToken, target, () => record?.expiresAt) : undefined;
  try {
    if (!preview) await refuseExistingStack(swarm, project);
    else {
      record = await beginSwarmPreview(
        swarm,
        { project, target, lockWaitMs: inputs.timeoutSeconds * 1000, ttlSeconds: inputs.ttlSeconds, signal: ctx.signal, now: deps.now, log: runtime, describeDuration },
        (lock) => {
          state.lock = lock;
          save();
        },
      );
    }
    state.engine = 'swarm';
    state.creationStarted = true;
    save();
    await deployAndPublish(swarm, stack, inputs, deps, ctx, env, comment);
  } finally {
    if (state.lock) {
      const released = await releaseLockOrWarn(swarmLocks(swarm), state.lock, (l) => runtime.warning(l));
      if (released !== 'failed') {
        state.lock = undefined;
        save();
      }
    }
  }
}

/** The stack action's stack is this run's own: a stack of that name on the swarm is someone else's, never deployed into nor removed. */
async function refuseExistingStack(swarm: SwarmCalls, project: string): Promise<void> {
  const existing = await swarm.remaining(project);
  if (existing.length === 0) return;
  const shown = existing.slice(0, 5).join(', ') + (existing.length > 5 ? ', ...' : '');
  throw new Error(
    `Stack '${project}' is already on the swarm (${shown}), and this run did not deploy it. ` +
      `The action never touches a stack it did not create: choose another 'project-name', or remove that stack first (docker stack rm ${project}).`,
  );
}

async function deployAndPublish(
  swarm: SwarmCalls,
  stack: PreparedStack,
  inputs: Inputs,
  deps: MainDependencies,
  ctx: SwarmContext,
  env: NodeJS.ProcessEnv,
  comment: Commenter | undefined,
): Promise<void> {
  const { runtime } = deps;
  const project = stack.project.name;
  const preview = inputs.mode === 'deploy';
  try {
    const reports = await swarmUp(
      swarm,
      deps.network,
      {
        stack: project,
        model: stack.model,
        plan: stack.plan,
        configYaml: stack.configYaml,
        waitFor: inputs.waitFor,
        timeoutSeconds: inputs.timeoutSeconds,
        host: inputs.host || engineHostName(env.DOCKER_HOST) || 'localhost',
        directory: deps.env.RUNNER_TEMP || os.tmpdir(),
        signal: ctx.signal,
        labels: preview ? deployedLabels(project, ctx.target) : undefined,
        ephemeralPorts: inputs.ports === 'ephemeral',
        removeOrphans: preview,
      },
      runtime,
    );
    if (inputs.urlTemplate) applyUrlTemplate(reports, inputs.urlTemplate, project, ctx.target);
    const urls = Object.fromEntries(Object.entries(reports).flatMap(([s, r]) => (r.url ? [[s, r.url]] : [])));
    runtime.setOutput(OutputNames.Services, JSON.stringify(reports));
    runtime.setOutput(OutputNames.Urls, JSON.stringify(urls));
    for (const [service, url] of Object.entries(urls)) runtime.setOutput(serviceUrlOutput(service), url);
    // <SERVICE>_HOST, _PORT, _URL as on one engine: the first published TCP port, where the runner reaches it.
    const reached = Object.fromEntries(
      Object.entries(reports).map(([s, r]) => {
        const p = r.ports.find((x) => x.protocol === 'tcp');
        return [s, { url: r.url, reach: p ? { host: p.host, port: p.published } : undefined }];
      }),
    );
    const exported = variablesToExport({ services: reached }, { exportEnv: inputs.exportEnv, envPrefix: inputs.envPrefix, jobEnv: deps.env });
    for (const w of exported.warnings) runtime.warning(w);
    for (const [name, value] of Object.entries(exported.variables)) runtime.exportVariable(name, value);
    ctx.state.outcome = 'success';
    await runtime.appendSummary(swarmSummaryMarkdown(project, reports, undefined, ctx.secrets.all()));
    await comment?.({ status: 'ready', report: { services: reports } }, ctx.secrets.all());
  } catch (error) {
    ctx.state.outcome = 'failure';
    await runtime.appendSummary(swarmSummaryMarkdown(project, {}, errorText(error), ctx.secrets.all())).catch(() => undefined);
    await comment?.({ status: 'failed', failure: errorText(error) }, ctx.secrets.all());
    throw error;
  } finally {
    ctx.save();
  }
}

/** `url-template`: the public URL of each HTTP service in place of its published port's. */
function applyUrlTemplate(reports: Record<string, SwarmServiceReport>, template: string, project: string, target: PreviewTarget): void {
  const preview = previewUrls(template, project, target);
  for (const [service, r] of Object.entries(reports)) {
    const main = r.ports.find((p) => p.url === r.url);
    if (!main || !r.url || !/^https?:/.test(r.url)) continue;
    r.url = previewServiceUrl(preview, service, main.published, main.host);
  }
}
