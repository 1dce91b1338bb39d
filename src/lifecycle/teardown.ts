import * as fs from 'fs';
import * as path from 'path';
import { ComposeLabels } from '../compose/labels';
import { ContainerFacts } from '../engine/container-facts';
import { ComposeProject } from '../compose/compose-project';
import { manualRemovalCommand } from '../engine/docker-args';
import { DockerClient } from '../engine/docker';
import { ComposeCli } from '../compose/compose-cli';
import { environmentSecrets } from '../secrets/secret-values';
import { isRecordVolume } from './record-volumes';
import { PostSettings } from './post-settings';
import { errorText } from '../compose/error-text';
import { EngineCalls } from '../engine/engine-calls';

// The post step's work: show logs, stop everything at once, let compose remove what it made,
// then sweep by label whatever is left (a cancelled create, missing compose files).

/** A stack this run created, as main recorded it. */
export interface OwnedStack {
  project: ComposeProject;
  compose?: ComposeCli;
  post: PostSettings;
  /** How main ended; none after a cancel or crash. */
  outcome?: 'success' | 'failure';
}

export interface TeardownLog {
  info(line: string): void;
  warning(line: string): void;
  group<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** Registers values to be masked in everything printed after. */
  mask(secrets: string[]): void;
}

/** A service that died after main counts as a failure too. */
export function shouldPrintLogs(stack: OwnedStack, diedAfterMain = false): boolean {
  const { logs } = stack.post;
  return logs === 'always' || (logs === 'on-failure' && (stack.outcome !== 'success' || diedAfterMain));
}

/** The project's containers as the engine sees them now, their secrets masked before anything prints. */
export async function projectContainers(docker: EngineCalls, stack: OwnedStack, log: TeardownLog): Promise<ContainerFacts[]> {
  const facts = await docker.inspect(await docker.containerIds(stack.project.name));
  // Main registered these too, but a log printed here must not depend on main having got that far.
  log.mask(facts.flatMap((f) => environmentSecrets(f.env).secrets));
  return facts;
}

export async function printServiceLogs(docker: EngineCalls, stack: OwnedStack, log: TeardownLog, containers: ContainerFacts[]): Promise<void> {
  const lines = stack.post.logLines;
  const facts = [...containers];
  facts.sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
  for (const f of facts) {
    const title = `Logs of ${f.service || f.name} (${f.name}, ${f.status}${f.status === 'exited' ? ` ${f.exitCode}` : ''}, last ${lines} lines)`;
    await log.group(title, () => docker.printLogs(f.id, lines));
  }
}

function composeFilesPresent(p: ComposeProject): boolean {
  return p.files.length > 0 && p.files.every((f) => fs.existsSync(path.resolve(p.workingDirectory, f)));
}

/**
 * Removes every container, network and volume labelled with the project: what `compose down
 * --volumes --remove-orphans` removes, in four engine calls instead of a compose process. Compose
 * itself runs only when `down-flags` ask for more (`--rmi local`).
 * Problems are warnings.
 */
export async function removeStack(
  docker: DockerClient,
  stack: Pick<OwnedStack, 'project' | 'compose'> & { post: Pick<PostSettings, 'downFlags' | 'stopTimeoutSeconds'> },
  log: TeardownLog,
): Promise<void> {
  const project = stack.project.name;
  const { downFlags, stopTimeoutSeconds } = stack.post;
  let failed = false;
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      failed = true;
      log.warning(`${what} labelled ${ComposeLabels.Project}=${project}: ${errorText(e)}`);
    }
  };
  // A listing that fails must not read as "nothing there": the stack may well still be up.
  const labelled = () => Promise.all([docker.containerIds(project), docker.networkIds(project), docker.volumeNames(project)]);
  const couldNotLook = (e: unknown) =>
    log.warning(
      `Could not list what project ${project} holds on the engine (${errorText(e).split('\n')[0]}), so its containers, networks and volumes may be left. ` +
        `Remove them with: ${manualRemovalCommand(project)}`,
    );
  let containers: string[], networks: string[], volumes: string[];
  try {
    [containers, networks, volumes] = await labelled();
  } catch (e) {
    couldNotLook(e);
    return;
  }
  if (containers.length + networks.length + volumes.length === 0 && downFlags.length === 0) {
    log.info(`Project ${project} is already gone: nothing labelled ${ComposeLabels.Project}=${project} is left on the engine.`);
    return;
  }
  // One stop call for all containers: the grace runs once, in parallel, not once per service.
  if (stopTimeoutSeconds > 0) await attempt('Stopping containers', () => docker.stop(containers, stopTimeoutSeconds));
  const removed = [0, 0, 0];
  try {
    if (downFlags.length > 0 && stack.compose && composeFilesPresent(stack.project)) {
      const cli = stack.compose;
      await attempt('compose down', () => docker.down(cli, stack.project, stopTimeoutSeconds, downFlags));
      const before = [containers.length, networks.length, volumes.length];
      [containers, networks, volumes] = await labelled();
      // What compose removed counts too: the report is of the project, not of this loop.
      [containers, networks, volumes].forEach((left, i) => (removed[i] += Math.max(0, before[i] - left.length)));
    }
    // A second look catches what appeared meanwhile: a create the daemon finished after a cancelled
    // compose went away. Three passes at most; each look costs one parallel round of list calls.
    for (let pass = 0; pass < 3 && containers.length + networks.length + volumes.length > 0; pass++) {
      const [c, n, v] = [containers, networks, volumes];
      await attempt('Removing containers', () => docker.removeContainers(c));
      // Networks and volumes are free once their containers are gone.
      await Promise.all([attempt('Removing networks', () => docker.removeNetworks(n)), attempt('Removing volumes', () => docker.removeVolumes(v))]);
      removed[0] += c.length;
      removed[1] += n.length;
      removed[2] += v.filter((name) => !isRecordVolume(project, name)).length;
      if (failed) break;
      [containers, networks, volumes] = await labelled();
    }
  } catch (e) {
    couldNotLook(e);
    return;
  }
  if (failed) log.warning(`Project ${project} may be partly left. Remove what is left with: ${manualRemovalCommand(project)}`);
  else log.info(`Removed project ${project}: ${removed[0]} container(s), ${removed[1]} network(s), ${removed[2]} volume(s).`);
}
