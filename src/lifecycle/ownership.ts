import { manualRemovalCommand } from '../engine/docker-args';

// What this run may remove: only a project it created, or (as a preview) one this action deployed.
// Whatever else carries the project's label belongs to someone else (another job, a person).

export interface ProjectResources {
  containers: string[];
  networks: string[];
  volumes: string[];
}

export const isEmpty = (r: ProjectResources): boolean => r.containers.length + r.networks.length + r.volumes.length === 0;

/** "2 containers (a, b), 1 volume (v)" */
export function describeResources(r: ProjectResources): string {
  return (
    [
      ['container', r.containers],
      ['network', r.networks],
      ['volume', r.volumes],
    ] as const
  )
    .filter(([, names]) => names.length > 0)
    .map(([kind, names]) => `${names.length} ${kind}${names.length > 1 ? 's' : ''} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`)
    .join(', ');
}

/** What is in `all` but not in `deployed`: resources of the project this action did not deploy. */
export function notDeployed(all: ProjectResources, deployed: ProjectResources): ProjectResources {
  return {
    containers: all.containers.filter((c) => !deployed.containers.includes(c)),
    networks: all.networks.filter((n) => !deployed.networks.includes(n)),
    volumes: all.volumes.filter((v) => !deployed.volumes.includes(v)),
  };
}

/** Ephemeral mode never adopts a project: whatever exists under the name was not made by this run. */
export function refuseExistingProject(projectName: string, existing: ProjectResources): void {
  if (isEmpty(existing)) return;
  throw new Error(
    `Project '${projectName}' already exists on this engine: ${describeResources(existing)}, and this run did not create it. ` +
      `The action never touches a stack it did not create: choose another 'project-name', or remove that project first (${manualRemovalCommand(projectName)}).`,
  );
}

/** Deploy and down act on a project only when all of it was deployed by this action: why not, or undefined. */
export function foreignProjectRefusal(projectName: string, foreign: ProjectResources, doing: string): string | undefined {
  if (isEmpty(foreign)) return undefined;
  return (
    `Project '${projectName}' exists on this engine but was not deployed by this action (${describeResources(foreign)} without the label ephemeral-compose.deployed), so it does not ${doing} it. ` +
    `The action never touches a stack it did not create: choose another 'project-name', or remove that project yourself (${manualRemovalCommand(projectName)}).`
  );
}

export function refuseForeignProject(projectName: string, foreign: ProjectResources, doing: string): void {
  const refusal = foreignProjectRefusal(projectName, foreign, doing);
  if (refusal) throw new Error(refusal);
}
