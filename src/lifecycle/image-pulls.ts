import { ComposeModel } from '../compose/compose-model';
import { PullPolicy } from '../compose/compose-cli';
import { errorText } from '../compose/error-text';
import { DockerClient } from '../engine/docker';
import { pullFailureKind } from '../engine/pull-failure';
import { ImageNeed, mirrorReference, registryOf } from '../plan/image-needs';
import { Puller } from './image-fetcher';
import { PreparedStack } from './prepare';

// How one image the stack lacks is pulled: by the engine directly, through compose, or from a
// mirror of Docker Hub first. The order and the retries are the fetcher's (image-fetcher.ts).

export interface PullLog {
  info(line: string): void;
}

/**
 * Whether the engine pulls `need` itself: it is reached through its API, no credentials are
 * configured for the image's registry and no `platform:` asks for a variant (both compose's to
 * apply).
 */
export function pullsDirectly(docker: DockerClient, model: ComposeModel, need: ImageNeed): boolean {
  return docker.pullsThroughApi && !need.services.some((s) => model.services[s]?.platform) && !docker.mayHaveCredentials(registryOf(need.image));
}

/**
 * How an image is pulled. Where the Engine API reaches the engine, an image no credentials are
 * configured for, and no `platform:` asks for, is pulled by the engine directly: no compose
 * process per image, and the engine's own byte counts. Everything else goes through compose, as
 * its first service's (compose's credentials, platform and policy), and so does an image the
 * engine's pull without credentials was refused (a registry may answer "not found" for "not
 * allowed"). A Docker Hub image comes from the mirror first when there is one.
 */
export function puller(docker: DockerClient, stack: PreparedStack, pull: PullPolicy, mirror: string | undefined, log: PullLog): Puller {
  const { model } = stack;
  const viaCompose: Puller = (need, progress, signal) => docker.composePull(stack.cli, stack.project, need.services[0], pull, (line) => progress.take(line), signal);
  const viaEngine: Puller = async (need, progress, signal) => {
    try {
      await docker.pullImage(need.image, progress, signal);
    } catch (e) {
      const kind = pullFailureKind(errorText(e));
      // A fault of the registry or the link is the fetcher's to try again; a refusal may be the missing credentials'.
      if (signal.aborted || kind === 'transient' || kind === 'rate-limited') throw e;
      log.info(`${need.image}: the engine's pull without credentials failed (${errorText(e)}); pulling it through compose`);
      await viaCompose(need, progress, signal);
    }
  };
  const fromOrigin: Puller = (need, progress, signal) => (pullsDirectly(docker, model, need) ? viaEngine : viaCompose)(need, progress, signal);
  if (!mirror) return fromOrigin;
  return async (need, progress, signal) => {
    const from = mirrorReference(need.image, mirror);
    if (!from) return fromOrigin(need, progress, signal);
    try {
      await docker.pullImage(from, progress, signal);
      await docker.tagImage(from, need.image);
      log.info(`${need.image}: pulled from the mirror as ${from}`);
    } catch (e) {
      if (signal.aborted) throw e;
      log.info(`The mirror could not serve ${need.image} (${errorText(e)}); pulling it from Docker Hub`);
      return fromOrigin(need, progress, signal);
    }
    // Only the name the stack uses stays; a failure to drop the mirror's is no reason to stop.
    await docker.untagImage(from).catch(() => undefined);
  };
}
