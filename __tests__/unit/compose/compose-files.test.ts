import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { checkNamedComposeFiles, noComposeFileMessage, resolveWorkingDirectory } from '../../../src/compose/compose-files';

describe('compose files on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('ec-files-');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('resolves the working directory, and says when it is missing or a file', () => {
    fs.mkdirSync(path.join(dir, 'stack'));
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(resolveWorkingDirectory('stack', dir)).toBe(path.join(dir, 'stack'));
    expect(() => resolveWorkingDirectory('nope', dir)).toThrow("Input 'working-directory': 'nope' does not exist");
    expect(() => resolveWorkingDirectory('file', dir)).toThrow("'file' is not a directory");
  });

  it('leaves the choice to compose when no file is named, and says where it looked when compose found none', () => {
    expect(checkNamedComposeFiles([], dir)).toEqual([]);
    expect(noComposeFileMessage(dir, 'no configuration file provided: not found')).toMatch(
      new RegExp(`^No compose file found in ${dir} .*set 'compose-file' or 'working-directory'. Compose said: no configuration file provided: not found$`),
    );
  });

  it('names every requested file that is missing or not a file', () => {
    fs.writeFileSync(path.join(dir, 'a.yml'), '');
    fs.mkdirSync(path.join(dir, 'b.yml'));
    expect(checkNamedComposeFiles(['a.yml'], dir)).toEqual(['a.yml']);
    expect(() => checkNamedComposeFiles(['a.yml', 'b.yml', 'c.yml'], dir)).toThrow('Compose file not found: b.yml (not a file), c.yml');
  });
});
