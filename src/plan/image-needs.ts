import { ComposeModel } from '../compose/compose-model';
import { PullPolicy } from '../compose/compose-cli';
import { StartPlan } from './dependency-graph';

// Which images must be fetched before their services can be created, in the order the stack needs
// them: level 0's first, so the first services start while later levels' images still download.
// Services with a `build:` are compose's to build when they are created; they fetch nothing here,
// and neither does a service whose image another service of the project builds (compose's rule,
// isServiceImageToBuild: it tries a pull but builds when the pull fails; the action lets compose
// build it, see creationNeeds).

export interface ImageNeed {
  image: string;
  /** The services that use it, in the order they start; compose pulls it as the first one's. */
  services: string[];
}

/**
 * The images to fetch for `services` (in start order, the run service last), one entry per image.
 * `present` says whether the engine has an image already; with the pull policy `always` every
 * image is fetched, with `never` none.
 */
export function imageNeeds(model: ComposeModel, services: readonly string[], pull: PullPolicy, present: (image: string) => boolean): ImageNeed[] {
  if (pull === 'never') return [];
  const needs = new Map<string, ImageNeed>();
  for (const name of services) {
    const svc = model.services[name];
    if (!svc?.image || svc.hasBuild || svc.replicas === 0 || builderOf(model, name) !== undefined) continue;
    if (pull === 'missing' && present(svc.image)) continue;
    const need = needs.get(svc.image) ?? { image: svc.image, services: [] };
    need.services.push(name);
    needs.set(svc.image, need);
  }
  return [...needs.values()];
}

/** The service of the project that builds `service`'s image when `service` has no `build:` of its own. */
export function builderOf(model: ComposeModel, service: string): string | undefined {
  const svc = model.services[service];
  if (!svc?.image || svc.hasBuild) return undefined;
  return Object.keys(model.services).find((name) => name !== service && model.services[name].hasBuild && model.services[name].image === svc.image);
}

/** Every service of the plan in start order, then the run service (created with the rest). */
export function creationOrder(plan: StartPlan, runService?: string): string[] {
  return runService && !plan.services.includes(runService) ? [...plan.services, runService] : [...plan.services];
}

/** The registry an image reference names: its first part when that looks like a host, else Docker Hub. */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  const host = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
  return ['index.docker.io', 'registry-1.docker.io'].includes(host) ? 'docker.io' : host;
}

/**
 * Where a Docker Hub image is found on a mirror of Docker Hub (`mirror` a host[:port] with an
 * optional path, a scheme ignored): `mysql:8` as `<mirror>/library/mysql:8`. None for an image of
 * another registry, or one named by digest (the mirror's name for it could not take its place).
 */
export function mirrorReference(image: string, mirror: string): string | undefined {
  if (registryOf(image) !== 'docker.io' || image.includes('@')) return undefined;
  const name = image.replace(/^(docker\.io|index\.docker\.io)\//, '');
  const path = name.includes('/') ? name : `library/${name}`;
  return `${mirror.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '')}/${path}`;
}
