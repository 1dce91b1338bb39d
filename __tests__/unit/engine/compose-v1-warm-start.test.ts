import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ComposeV1WarmStart, findExecutable, warmStartCommand } from '../../../src/engine/compose-v1-warm-start';
import { SpawnRunner } from '../../../src/engine/process-runner';

// Real Python processes (no engine): a stand-in `compose` package next to an entry script, written
// as Debian's docker-compose is.

const DEBIAN_SCRIPT = `#!/usr/bin/python3
# EASY-INSTALL-ENTRY-SCRIPT: 'docker-compose==1.29.2','console_scripts','docker-compose'
import re
import sys
__requires__ = 'docker-compose==1.29.2'
`;

describe('warmStartCommand', () => {
  it("runs Debian's and pip's entry scripts with their own interpreter and the script's directory", () => {
    const debian = warmStartCommand('/usr/bin/docker-compose', DEBIAN_SCRIPT);
    expect(debian?.command).toBe('/usr/bin/python3');
    expect(debian?.args[0]).toBe('-c');
    expect(debian?.args.at(-1)).toBe('/usr/bin');
    const pip = warmStartCommand('/opt/venv/bin/docker-compose', '#!/usr/bin/env python3.11\nimport sys\nfrom compose.cli.main import main\nsys.exit(main())\n');
    expect(pip?.command).toBe('/usr/bin/env');
    expect(pip?.args.slice(0, 2)).toEqual(['python3.11', '-c']);
    expect(pip?.args.at(-1)).toBe('/opt/venv/bin');
  });

  it('keeps the interpreter flags of the shebang', () => {
    expect(warmStartCommand('/x/docker-compose', DEBIAN_SCRIPT.replace('python3', 'python3 -s'))?.args.slice(0, 2)).toEqual(['-s', '-c']);
  });

  it('leaves anything else alone: a binary, a shell wrapper, another Python program', () => {
    expect(warmStartCommand('/usr/local/bin/docker-compose', '\x7fELF\x02\x01\x01')).toBeUndefined();
    expect(warmStartCommand('/usr/local/bin/docker-compose', '#!/bin/sh\nexec docker compose "$@" # compose.cli.main\n')).toBeUndefined();
    expect(warmStartCommand('/usr/local/bin/docker-compose', '#!/usr/bin/python3\nprint("hello")\n')).toBeUndefined();
  });
});

describe('findExecutable', () => {
  it('searches PATH, and resolves a path with a slash from the working directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-find-'));
    fs.writeFileSync(path.join(dir, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'plain'), 'not executable', { mode: 0o644 });
    expect(findExecutable('tool', `/nonexistent${path.delimiter}${dir}`, '/')).toBe(path.join(dir, 'tool'));
    expect(findExecutable('plain', dir, '/')).toBeUndefined();
    expect(findExecutable('./bin/compose', undefined, '/work')).toBe('/work/bin/compose');
  });
});

describe('ComposeV1WarmStart', () => {
  let root: string;
  let script: string;

  /** A fake compose package: its import is stamped in a file, main() prints what it was given. */
  function fakeCompose(dir: string, mainSource: string): void {
    fs.mkdirSync(path.join(dir, 'compose', 'cli'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'compose', '__init__.py'), '');
    fs.writeFileSync(path.join(dir, 'compose', 'cli', '__init__.py'), '');
    fs.writeFileSync(path.join(dir, 'compose', 'cli', 'main.py'), mainSource);
  }

  const MAIN = `import json, os, sys, time
with open(os.environ['STAMP'], 'w') as f:
    f.write(json.dumps({'pid': os.getpid(), 'importedAt': time.time() * 1000}))
def main():
    print(json.dumps({'argv': sys.argv, 'cwd': os.getcwd(), 'from': 'script dir'}))
    sys.stderr.write('a progress line\\n')
    return 3 if '--fail' in sys.argv else None
`;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-warm-'));
    fs.mkdirSync(path.join(root, 'bin'));
    script = path.join(root, 'bin', 'docker-compose');
    // Whichever python3 this machine has (the engine tests install Debian's; unit tests run before).
    fs.writeFileSync(script, DEBIAN_SCRIPT.replace('#!/usr/bin/python3', '#!/usr/bin/env python3'), { mode: 0o755 });
    fakeCompose(path.join(root, 'bin'), MAIN);
    fs.mkdirSync(path.join(root, 'project'));
  });

  const options = () => ({ cwd: path.join(root, 'project'), env: { ...process.env, PATH: `${path.join(root, 'bin')}:${process.env.PATH}`, STAMP: path.join(root, 'stamp') } });
  const stamp = () => JSON.parse(fs.readFileSync(path.join(root, 'stamp'), 'utf8')) as { pid: number; importedAt: number };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 300 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
    return condition();
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('imports compose before the arguments are known, then runs them: exit code, output, lines as they come', async () => {
    const warm = new ComposeV1WarmStart(new SpawnRunner());
    warm.prepare('docker-compose', [], options());
    expect(await until(() => fs.existsSync(path.join(root, 'stamp')))).toBe(true);
    const takenAt = Date.now();
    const lines: string[] = [];
    const r = await warm.take('docker-compose', [], options().cwd, ['-p', 'x', 'up', '--no-start', '--fail'], (l) => lines.push(l));
    expect(stamp().importedAt).toBeLessThan(takenAt);
    expect(r?.code).toBe(3);
    expect(JSON.parse(r?.stdout ?? '{}')).toEqual({ argv: [script, '-p', 'x', 'up', '--no-start', '--fail'], cwd: path.join(root, 'project'), from: 'script dir' });
    expect(r?.stderr).toContain('a progress line');
    expect(lines).toContain('a progress line');
    // Taken once: the next call runs as usual.
    expect(warm.take('docker-compose', [], options().cwd, ['ps'])).toBeUndefined();
  });

  it("imports compose from the script's directory, not from a compose/ folder in the project", async () => {
    fakeCompose(path.join(root, 'project'), 'def main():\n    print("SHADOWED")\n');
    const warm = new ComposeV1WarmStart(new SpawnRunner());
    warm.prepare('docker-compose', [], options());
    const r = await warm.take('docker-compose', [], options().cwd, ['config']);
    expect(r?.stdout).toContain('script dir');
    expect(r?.stdout).not.toContain('SHADOWED');
  });

  it('gives the call back when compose cannot be imported that way', async () => {
    fs.writeFileSync(path.join(root, 'bin', 'compose', 'cli', 'main.py'), 'raise ImportError("no such thing")\n');
    const warm = new ComposeV1WarmStart(new SpawnRunner());
    warm.prepare('docker-compose', [], options());
    await expect(warm.take('docker-compose', [], options().cwd, ['up'])).resolves.toBeUndefined();
  });

  it('serves only the command and directory it was prepared for; discard ends it', async () => {
    const warm = new ComposeV1WarmStart(new SpawnRunner());
    warm.prepare('docker-compose', [], options());
    expect(warm.take('docker-compose', [], '/elsewhere', ['up'])).toBeUndefined();
    expect(warm.take('docker-compose', ['--verbose'], options().cwd, ['up'])).toBeUndefined();
    expect(await until(() => fs.existsSync(path.join(root, 'stamp')))).toBe(true);
    const { pid } = stamp();
    warm.discard();
    expect(await until(() => !alive(pid))).toBe(true);
    expect(warm.take('docker-compose', [], options().cwd, ['up'])).toBeUndefined();
  });

  it('does nothing for a command that is not a Compose v1 script', () => {
    const warm = new ComposeV1WarmStart(new SpawnRunner());
    warm.prepare('docker', ['compose'], options());
    expect(warm.take('docker', ['compose'], options().cwd, ['up'])).toBeUndefined();
  });
});
