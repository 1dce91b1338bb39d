import { manualRemovalCommand } from '../engine/docker-args';

// What this run may remove: only a project it created. Whatever carries the project's label before
// the first create belongs to someone else (another job, a preview, a person).

export interface ProjectResources {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** Ephemeral mode never adopts a project: whatever exists under the name was not made by this run. */
export function refuseExistingProject(projectName: string, existing: ProjectResources): void {
  const parts = (
    [
      ['container', existing.containers],
      ['network', existing.networks],
      ['volume', existing.volumes],
    ] as const
  )
    .filter(([, names]) => names.length > 0)
    .map(([kind, names]) => `${names.length} ${kind}${names.length > 1 ? 's' : ''} (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''})`);
  if (parts.length === 0) return;
  throw new Error(
    `Project '${projectName}' already exists on this engine: ${parts.join(', ')}, and this run did not create it. ` +
      `The action never touches a stack it did not create: choose another 'project-name', or remove that project first (${manualRemovalCommand(projectName)}).`,
  );
}
