import * as fs from 'fs';
import * as path from 'path';

// The folder compose runs in, and the files named for `-f`, checked before compose is asked so a
// missing one gets a message that names every path tried. Which files compose reads when none is
// named (the default file and its override, COMPOSE_FILE in .env) is compose's to decide.

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

/** The named files as `-f` takes them (relative to where compose runs); none named: none. */
export function checkNamedComposeFiles(requested: string[], workingDirectory: string): string[] {
  const isFile = (f: string) => {
    try {
      return fs.statSync(path.resolve(workingDirectory, f)).isFile();
    } catch {
      return false;
    }
  };
  const missing = requested.filter((f) => !isFile(f));
  if (missing.length > 0) {
    const why = (f: string) => (fs.existsSync(path.resolve(workingDirectory, f)) ? `${f} (not a file)` : f);
    throw new Error(`Compose file not found: ${missing.map(why).join(', ')} (looked in ${workingDirectory}).`);
  }
  return requested;
}

/** Compose found no file: says where it looked, and the inputs that point it elsewhere. */
export function noComposeFileMessage(workingDirectory: string, composeMessage: string): string {
  return (
    `No compose file found in ${workingDirectory} (compose looks for compose.yaml or docker-compose.yml there, or reads COMPOSE_FILE): ` +
    `set 'compose-file' or 'working-directory'. Compose said: ${composeMessage}`
  );
}
