import * as fs from 'fs';
import * as path from 'path';

// Which compose files to use, checked before compose is asked, so a missing one gets a message
// that names every path tried.

/** Files looked for, in this order, when `compose-file` is empty (Compose's own order). */
export const DEFAULT_COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export function resolveWorkingDirectory(dir: string, base: string): string {
  const abs = path.resolve(base, dir);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new Error(`Input 'working-directory': '${dir}' does not exist (resolved to ${abs}).`);
  }
  if (!stat.isDirectory()) throw new Error(`Input 'working-directory': '${dir}' is not a directory (resolved to ${abs}).`);
  return abs;
}

export function locateComposeFiles(requested: string[], workingDirectory: string): string[] {
  const isFile = (f: string) => {
    try {
      return fs.statSync(path.resolve(workingDirectory, f)).isFile();
    } catch {
      return false;
    }
  };
  if (requested.length === 0) {
    // A directory with a compose file's name is found too, so the check can say what it is.
    const found = DEFAULT_COMPOSE_FILES.find((f) => fs.existsSync(path.resolve(workingDirectory, f)));
    if (!found) {
      throw new Error(`No compose file found in ${workingDirectory}: tried ${DEFAULT_COMPOSE_FILES.join(', ')}. Set 'compose-file' or 'working-directory'.`);
    }
    return [found];
  }
  const missing = requested.filter((f) => !isFile(f));
  if (missing.length > 0) {
    const why = (f: string) => (fs.existsSync(path.resolve(workingDirectory, f)) ? `${f} (not a file)` : f);
    throw new Error(`Compose file not found: ${missing.map(why).join(', ')} (looked in ${workingDirectory}).`);
  }
  return requested;
}
