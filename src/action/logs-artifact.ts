import * as fs from 'fs';
import * as path from 'path';
import { secretsFileOf } from '../lifecycle/log-collection';
import { ActionRuntime } from './runtime';
import { errorText } from '../compose/error-text';

// `logs-artifact`: the folder main and post filled (lifecycle/log-collection) goes to the run's
// artifacts through GitHub's artifact service (@actions/artifact: ACTIONS_RUNTIME_TOKEN and
// ACTIONS_RESULTS_URL, which the runner gives every action).

export interface ArtifactUploader {
  upload(name: string, files: string[], rootDirectory: string): Promise<{ id?: number; size?: number }>;
}

declare const __non_webpack_require__: NodeJS.Require | undefined;

/**
 * Loaded when an upload happens: the artifact client is a large module tree most runs never need.
 * In the action it is a bundle of its own beside post's (dist/artifact, from entry-artifact.ts),
 * required at run time so that post's own bundle does not hold it.
 */
export function githubArtifacts(): ArtifactUploader {
  return {
    upload: async (name, files, root) => {
      // The built bundle in both cases: the bundler would follow any require of the source.
      const bundled = typeof __non_webpack_require__ === 'function';
      const file = bundled ? path.join(__dirname, '..', 'artifact', 'index.js') : path.join(__dirname, '..', '..', 'dist', 'artifact', 'index.js');
      const client = (bundled ? __non_webpack_require__ : require)(file) as typeof import('./entry-artifact');
      return client.uploadArtifact(name, files, root);
    },
  };
}

function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs.readdirSync(folder, { recursive: true, withFileTypes: true }).flatMap((e) => (e.isFile() ? [path.join(e.parentPath, e.name)] : []));
}

/** Where the run page lists the artifact. */
export function artifactUrl(env: NodeJS.ProcessEnv, id: number | undefined): string | undefined {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID && id !== undefined ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}` : undefined;
}

/** Uploads the folder as one artifact, says where it is (log and summary), and removes the folder. A failure is a warning. */
export async function uploadLogsArtifact(runtime: ActionRuntime, uploader: ArtifactUploader, env: NodeJS.ProcessEnv, name: string, folder: string): Promise<void> {
  const files = filesUnder(folder);
  try {
    if (files.length === 0) {
      runtime.warning(`No logs artifact '${name}': nothing was collected (the stack was never created, or its containers were gone).`);
      return;
    }
    const r = await uploader.upload(name, files, folder);
    const url = artifactUrl(env, r.id);
    runtime.info(`Uploaded the logs artifact '${name}': ${files.length} file(s), ${Math.ceil((r.size ?? 0) / 1024)} KiB zipped${url ? `: ${url}` : ''}`);
    await runtime.appendSummary(`### Logs artifact\n\n${url ? `[${name}](${url})` : `\`${name}\``}: every container's log, compose's configuration and the readiness report.\n`);
  } catch (e) {
    runtime.warning(`Could not upload the logs artifact '${name}': ${errorText(e).split('\n')[0]}`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(secretsFileOf(folder), { force: true });
  }
}
