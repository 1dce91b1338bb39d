import { DefaultArtifactClient } from '@actions/artifact';

// GitHub's artifact client, bundled apart (dist/artifact): post loads it only to upload
// `logs-artifact`, and every other post step starts without compiling its module tree.

export function uploadArtifact(name: string, files: string[], rootDirectory: string): Promise<{ id?: number; size?: number }> {
  return new DefaultArtifactClient().uploadArtifact(name, files, rootDirectory);
}
