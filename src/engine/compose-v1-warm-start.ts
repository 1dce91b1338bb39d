import * as fs from 'fs';
import * as path from 'path';
import { ProcessRunner, RunOptions, RunResult } from './process-runner';

// Compose v1 is a Python program: every call spends about 0.35 s (on 2 cores) starting Python and
// importing compose before it reads its arguments. A call the action knows comes next (the create
// after `config`, a later create wave) is started ahead, its arguments written to its stdin once
// they are known, so that time passes while the call before it runs.

/** How a warm process is started: the entry script's own interpreter, running the helper below. */
export interface WarmStartCommand {
  command: string;
  args: string[];
}

/** The helper's exit code when compose cannot be imported the way the script would; the call then runs as usual. */
export const WARM_START_UNAVAILABLE = 97;
const UNAVAILABLE_MARK = 'ephemeral-compose: no warm start';

// sys.path[0] is the script's directory, as when the script itself runs (`-c` would put the working
// directory there, where a project's own `compose/` folder could shadow compose). It waits at most
// 10 minutes for its arguments; an empty line ends it.
const HELPER = `import sys
sys.path[0] = sys.argv[1]
try:
    from compose.cli.main import main
except Exception as e:
    sys.stderr.write('${UNAVAILABLE_MARK}: %s\\n' % e)
    sys.exit(${WARM_START_UNAVAILABLE})
import json, select
if not select.select([sys.stdin], [], [], 600)[0]:
    sys.exit(0)
line = sys.stdin.readline()
if not line.strip():
    sys.exit(0)
sys.argv = json.loads(line)
sys.exit(main())
`;

/**
 * The warm-start command for a Compose v1 entry script (`#!/usr/bin/python3` or `#!/usr/bin/env
 * python3`, calling compose.cli.main); undefined for anything else: Compose v2, v1's PyInstaller
 * binary, a wrapper script.
 */
export function warmStartCommand(scriptPath: string, scriptHead: string): WarmStartCommand | undefined {
  const first = scriptHead.split('\n', 1)[0];
  if (!first.startsWith('#!')) return undefined;
  const words = first.slice(2).trim().split(/\s+/).filter(Boolean);
  if (!words.some((w) => /(^|\/)python[0-9.]*$/.test(w))) return undefined;
  if (!/compose\.cli\.main|'console_scripts', *'docker-compose'/.test(scriptHead)) return undefined;
  return { command: words[0], args: [...words.slice(1), '-c', HELPER, path.dirname(scriptPath)] };
}

/** Where `command` is found as a spawn would find it: PATH, or relative to `cwd` when it has a slash. */
export function findExecutable(command: string, envPath: string | undefined, cwd: string): string | undefined {
  if (command.includes('/')) return path.resolve(cwd, command);
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function readHead(file: string): string {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(4096);
    return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

interface WarmProcess {
  key: string;
  script: string;
  /** Writes its arguments' line (or an empty one, which ends it). */
  give: (line: string) => void;
  /** Where its output lines go from now on (the call that takes it). */
  forwardLines: (onLine: RunOptions['onLine']) => void;
  result: Promise<RunResult>;
}

/** At most one process waiting for its arguments: the next compose call takes it. */
export class ComposeV1WarmStart {
  private waiting?: WarmProcess;

  constructor(private readonly runner: ProcessRunner) {}

  /**
   * Starts a process for the next call of `command` (with `baseArgs`) in `options.cwd`, when that
   * command is Compose v1's Python entry script; otherwise does nothing.
   */
  prepare(command: string, baseArgs: string[], options: RunOptions): void {
    const key = keyOf(command, baseArgs, options.cwd);
    if (this.waiting?.key === key) return;
    this.discard();
    const script = findExecutable(command, options.env?.PATH, options.cwd ?? process.cwd());
    if (!script) return;
    const start = warmStartCommand(script, readHead(script));
    if (!start) return;
    let give: (line: string) => void = () => undefined;
    const input = new Promise<string>((resolve) => (give = resolve));
    let forward: RunOptions['onLine'];
    const result = this.runner.run(start.command, start.args, { ...options, input, onLine: (line, stream) => forward?.(line, stream) });
    // A warm process that is never used ends quietly (discard); its failure is nobody's concern.
    result.catch(() => undefined);
    this.waiting = { key, script, give, forwardLines: (onLine) => (forward = onLine), result };
  }

  /**
   * Runs `argv` in the waiting process if it was prepared for this command and directory: the
   * result, or undefined when the call must run as usual (nothing warm, or compose could not be
   * imported that way).
   */
  take(command: string, baseArgs: string[], cwd: string | undefined, argv: string[], onLine?: RunOptions['onLine']): Promise<RunResult | undefined> | undefined {
    const warm = this.waiting;
    if (!warm || warm.key !== keyOf(command, baseArgs, cwd)) return undefined;
    this.waiting = undefined;
    warm.forwardLines(onLine);
    warm.give(`${JSON.stringify([warm.script, ...baseArgs, ...argv])}\n`);
    return warm.result.then((r) => (r.code === WARM_START_UNAVAILABLE && r.stderr.includes(UNAVAILABLE_MARK) ? undefined : r));
  }

  /** Ends the waiting process, if any (an empty line: it exits at once). */
  discard(): void {
    this.waiting?.give('\n');
    this.waiting = undefined;
  }
}

function keyOf(command: string, baseArgs: string[], cwd: string | undefined): string {
  return JSON.stringify([command, baseArgs, cwd ?? '']);
}
