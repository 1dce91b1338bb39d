import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Folders a test file makes under the system's temp folder, removed once its tests have run.

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
