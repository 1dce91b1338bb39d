import * as fs from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';
import { ComposeModel, parseResolvedConfig } from '../compose/compose-model';
import { ComposeProject } from '../compose/compose-project';
import { rewriteResolvedConfig } from '../compose/resolved-file';
import { BuildCache, cacheEntries } from '../compose/build-cache';
import { PreparedStack } from './prepare';

// What the action changes in a stack before compose creates it (`ports: ephemeral`, a preview's
// labels, build caches). Compose has no flag for any, so compose then reads a file the action
// writes. None of them changes the hash compose records (it leaves `build` out of it).

export interface StackChanges {
  /** Host ports the files pin are left to the engine. */
  ephemeralPorts: boolean;
  /** Labels every container, network and volume carries (a preview's). */
  labels: Record<string, string>;
  /** Where builds of `build:` services keep their cache (input `build-cache`). */
  buildCache?: BuildCache;
  /** Where the file compose then reads is written (RUNNER_TEMP). */
  directory: string;
}

/**
 * The stack as compose will create it: when ports, labels or build caches change, compose reads a file the
 * action writes from compose's own resolved output, in place of the user's files.
 */
export function changeStack(stack: PreparedStack, changes: StackChanges): PreparedStack {
  const { labels, buildCache } = changes;
  const builds = buildCache !== undefined && Object.values(stack.model.services).some((s) => s.hasBuild);
  if (!changes.ephemeralPorts && Object.keys(labels).length === 0 && !builds) return stack;
  if (changes.ephemeralPorts) refuseHostNetwork(stack.model);
  const text = rewriteResolvedConfig(stack.configYaml, {
    ephemeralPorts: changes.ephemeralPorts,
    labels,
    buildCache: builds ? (service) => cacheEntries(buildCache, service) : undefined,
  });
  fs.mkdirSync(changes.directory, { recursive: true });
  const file = path.join(changes.directory, `ephemeral-compose-${stack.project.name}-${randomBytes(4).toString('hex')}.yaml`);
  // It holds the stack's environment as resolved: readable by this user only.
  fs.writeFileSync(file, text, { mode: 0o600 });
  const project: ComposeProject = { ...stack.project, files: [file], envFiles: [] };
  return { ...stack, project, model: parseResolvedConfig(text), configYaml: text };
}

function refuseHostNetwork(model: ComposeModel): void {
  const host = Object.values(model.services).filter((s) => s.networkMode === 'host');
  if (host.length === 0) return;
  throw new Error(
    `ports: ephemeral cannot keep ${host.map((s) => `'${s.name}'`).join(', ')} from colliding: ${host.length > 1 ? 'they use' : 'it uses'} network_mode: host, ` +
      `so ${host.length > 1 ? 'their' : 'its'} ports are the host's own and there is no host port to leave to the engine. ` +
      `Give ${host.length > 1 ? 'them' : 'it'} a network of the project and publish its ports instead, or use ports: as-written.`,
  );
}
