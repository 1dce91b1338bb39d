import * as fs from 'fs';
import * as path from 'path';
import { ContainerFacts } from '../engine/container-facts';
import { CappedLogFile, DEFAULT_LOG_CAPS, LogCaps } from '../outputs/capped-log';
import { environmentSecrets } from '../secrets/secret-values';
import { EngineCalls } from '../engine/engine-calls';

// The logs artifact's folder: main writes what it knows (compose's resolved configuration, the
// readiness report), post adds one file per container with its whole log (capped, secrets hidden)
// before the stack is removed, then the action uploads the folder.

export const ARTIFACT_FILES = {
  config: 'compose-config.yaml',
  readiness: 'readiness.json',
  logsFolder: 'logs',
} as const;

/** The whole upload stays under this: once reached, the remaining containers get a note only. */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

export interface CollectedLogs {
  files: string[];
  bytes: number;
  /** Containers whose log was not collected, and why. */
  missed: string[];
}

/** A file name from a container's service and name: readable, and safe in any archive. */
const fileNameOf = (c: ContainerFacts): string => `${`${c.service || 'container'}--${c.name}`.replace(/[^A-Za-z0-9._-]+/g, '_')}.log`;

/**
 * Streams each container's log into its file, one container at a time (memory: one tail). Secrets
 * are those of the containers' environments plus `knownSecrets` (what main registered).
 */
export async function collectLogs(
  docker: EngineCalls,
  containers: ContainerFacts[],
  folder: string,
  knownSecrets: string[],
  caps: LogCaps = DEFAULT_LOG_CAPS,
): Promise<CollectedLogs> {
  const dir = path.join(folder, ARTIFACT_FILES.logsFolder);
  fs.mkdirSync(dir, { recursive: true });
  const secrets = [...knownSecrets, ...containers.flatMap((c) => environmentSecrets(c.env).secrets)];
  const result: CollectedLogs = { files: [], bytes: 0, missed: [] };
  const sorted = [...containers].sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name));
  for (const c of sorted) {
    const file = path.join(dir, fileNameOf(c));
    if (result.bytes + caps.headBytes + caps.tailBytes > MAX_ARTIFACT_BYTES) {
      fs.writeFileSync(file, `[ephemeral-compose: not collected: the artifact reached its limit of ${MAX_ARTIFACT_BYTES} bytes]\n`);
      result.files.push(file);
      result.missed.push(`${c.name} (artifact limit)`);
      continue;
    }
    const out = new CappedLogFile(file, secrets, caps);
    let code: number;
    try {
      code = await docker.streamLogs(c.id, (line, stream) => out.line(withStream(line, stream)));
    } finally {
      result.bytes += out.close();
    }
    result.files.push(file);
    if (code !== 0) result.missed.push(`${c.name} (docker logs exited with ${code})`);
  }
  return result;
}

/** `<timestamp> <line>` as docker prints it, with the stream after the timestamp. */
function withStream(line: string, stream: 'stdout' | 'stderr'): string {
  const space = line.indexOf(' ');
  return space > 0 ? `${line.slice(0, space)} ${stream} ${line.slice(space + 1)}` : `${stream} ${line}`;
}

/**
 * The secrets main knows (compose's own secrets, passwords in URLs), for post to hide in the files:
 * beside the folder, never in it, readable by this user only, as RUNNER_TEMP's resolved compose
 * file already is; removed with the folder.
 */
export const secretsFileOf = (folder: string): string => `${folder}.secrets.json`;

export function keepSecrets(folder: string, secrets: string[]): void {
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  fs.writeFileSync(secretsFileOf(folder), JSON.stringify(secrets), { mode: 0o600 });
}

export function readKeptSecrets(folder: string): string[] {
  try {
    const list = JSON.parse(fs.readFileSync(secretsFileOf(folder), 'utf8')) as unknown;
    return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** Main's part: what compose resolved (secrets already hidden by the caller). */
export function writeArtifactFile(folder: string, name: string, text: string): void {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, name), text, { mode: 0o600 });
}
