import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { locateComposeFiles, resolveWorkingDirectory } from '../../../src/compose/compose-files';

describe('compose files on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-files-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves the working directory, and says when it is missing or a file', () => {
    fs.mkdirSync(path.join(dir, 'stack'));
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(resolveWorkingDirectory('stack', dir)).toBe(path.join(dir, 'stack'));
    expect(() => resolveWorkingDirectory('nope', dir)).toThrow("Input 'working-directory': 'nope' does not exist");
    expect(() => resolveWorkingDirectory('file', dir)).toThrow("'file' is not a directory");
  });

  it("finds compose's default names in compose's order", () => {
    expect(() => locateComposeFiles([], dir)).toThrow('No compose file found in');
    fs.writeFileSync(path.join(dir, 'docker-compose.yml'), '');
    expect(locateComposeFiles([], dir)).toEqual(['docker-compose.yml']);
    fs.writeFileSync(path.join(dir, 'compose.yaml'), '');
    expect(locateComposeFiles([], dir)).toEqual(['compose.yaml']);
  });

  it('names every requested file that is missing or not a file', () => {
    fs.writeFileSync(path.join(dir, 'a.yml'), '');
    fs.mkdirSync(path.join(dir, 'b.yml'));
    expect(locateComposeFiles(['a.yml'], dir)).toEqual(['a.yml']);
    expect(() => locateComposeFiles(['a.yml', 'b.yml', 'c.yml'], dir)).toThrow('Compose file not found: b.yml (not a file), c.yml');
  });
});
