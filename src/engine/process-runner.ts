import { ChildProcess, spawn } from 'child_process';

// Every child process the action starts goes through here: an argument array (never a shell),
// bounded capture, and cancellation through an AbortSignal.

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Bytes of each stream kept (the last ones); the rest is dropped, so memory stays bounded. */
  maxBytes?: number;
  timeoutMs?: number;
  /** Called with each line as it comes (e.g. to show a build's progress); the capture is unchanged. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Written to the child's standard input once it resolves, which is then closed; a process can
   * so be started before all it needs to know is known. Without it, stdin is /dev/null.
   */
  input?: Promise<string>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StreamOptions extends RunOptions {
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** A stream's chunks cut into lines; `end` gives the last line when the stream ends without a newline. */
export type LineSplitter = ((chunk: Buffer) => void) & { end: () => void };

/** Cuts a stream's chunks into lines; a line without an end is cut rather than held forever. */
export function lineSplitter(onLine: (line: string, stream: 'stdout' | 'stderr') => void, stream: 'stdout' | 'stderr'): LineSplitter {
  let rest = '';
  const push = (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    if (rest.length > 64 * 1024) rest = rest.slice(-64 * 1024);
    for (const line of lines) onLine(line.replace(/\r$/, ''), stream);
  };
  const end = () => {
    if (rest !== '') onLine(rest.replace(/\r$/, ''), stream);
    rest = '';
  };
  return Object.assign(push, { end });
}

/** Each line of a child's output stream to `onLine`, the last one too when it has no newline. */
function splitLines(readable: NodeJS.ReadableStream | null, onLine: (line: string, stream: 'stdout' | 'stderr') => void, stream: 'stdout' | 'stderr'): void {
  const split = lineSplitter(onLine, stream);
  readable?.on('data', split);
  readable?.on('end', split.end);
}

export interface StreamingProcess {
  done: Promise<number>;
  stop(): void;
}

export interface ProcessRunner {
  run(command: string, args: string[], options?: RunOptions): Promise<RunResult>;
  stream(command: string, args: string[], options: StreamOptions): StreamingProcess;
  /** Copies the child's output to ours as it comes (logs), holding none of it. */
  passThrough(command: string, args: string[], options?: RunOptions): Promise<number>;
}

export class CommandNotFoundError extends Error {}

class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= (this.chunks.shift() as Buffer).length;
      this.truncated = true;
    }
  }
  toString(): string {
    const all = Buffer.concat(this.chunks);
    return (all.length > this.limit ? all.subarray(all.length - this.limit) : all).toString('utf8');
  }
}

function spawnError(command: string, err: NodeJS.ErrnoException): Error {
  if (err.code === 'ENOENT') return new CommandNotFoundError(`'${command}' was not found on PATH.`);
  return err;
}

/** How long a child may take to go after SIGTERM before its whole group gets SIGKILL. */
const KILL_GRACE_MS = 2000;

/**
 * Children run in a process group of their own so that cancelling one also ends what it started
 * (the CLI's plugin processes, a build's helpers); otherwise a grandchild that ignores
 * SIGTERM would hold our pipes, and the step, open.
 */
function spawnGroup(command: string, args: string[], options: RunOptions, stdio: ('ignore' | 'pipe' | 'inherit')[]): ChildProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio, detached: true });
  child.once('close', () => closed.add(child));
  return child;
}

/** Writes what `input` resolves to and closes stdin; a child gone by then is no error here. */
function feed(child: ChildProcess, input: Promise<string>): void {
  const stdin = child.stdin;
  if (!stdin) return;
  stdin.on('error', () => undefined);
  input.then(
    (text) => stdin.end(text),
    () => stdin.end(),
  );
}

/** Children whose pipes have all closed: nothing of their group holds them any more. */
const closed = new WeakSet<ChildProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // The leader may have exited while a grandchild still holds its pipes: the group is signalled
  // until 'close', not just until the leader's exit.
  if (child.pid === undefined || closed.has(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** SIGTERM to the child's group now, SIGKILL after the grace if it is still there. */
function terminate(child: ChildProcess): void {
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS);
  child.once('close', () => clearTimeout(timer));
}

/**
 * Ends the child when `signal` aborts or `timeoutMs` passes; `onEnd` hears why. Returns the
 * cleanup to call when the child is gone.
 */
function watchEnd(child: ChildProcess, options: RunOptions, onEnd: (why: 'cancelled' | 'timed out') => void): () => void {
  const end = (why: 'cancelled' | 'timed out') => {
    terminate(child);
    onEnd(why);
  };
  const onAbort = () => end('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => end('timed out'), options.timeoutMs);
  return () => {
    options.signal?.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  };
}

/** The exit code of a child whose output is handled elsewhere; 130 once it was ended by us. */
function exitOf(command: string, child: ChildProcess, options: RunOptions): { done: Promise<number>; end: () => void } {
  let ended = false;
  const cleanup = watchEnd(child, options, () => (ended = true));
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(spawnError(command, e));
    });
    child.on('close', (code) => {
      cleanup();
      resolve(ended ? 130 : (code ?? 130));
    });
  });
  const end = () => {
    ended = true;
    terminate(child);
  };
  return { done, end };
}

export class SpawnRunner implements ProcessRunner {
  run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const what = `'${command} ${args[0] ?? ''}'`;
      if (options.signal?.aborted) return reject(new Error(`${what} was cancelled`));
      const child = spawnGroup(command, args, options, [options.input ? 'pipe' : 'ignore', 'pipe', 'pipe']);
      if (options.input) feed(child, options.input);
      const limit = options.maxBytes ?? 1 << 20;
      const out = new TailBuffer(limit);
      const err = new TailBuffer(limit);
      child.stdout?.on('data', (c: Buffer) => out.push(c));
      child.stderr?.on('data', (c: Buffer) => err.push(c));
      if (options.onLine) {
        splitLines(child.stdout, options.onLine, 'stdout');
        splitLines(child.stderr, options.onLine, 'stderr');
      }
      // The promise settles at once on cancel or timeout; the child is ended in the background.
      const cleanup = watchEnd(child, options, (why) =>
        reject(new Error(why === 'cancelled' ? `${what} was cancelled` : `${what} timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s`)),
      );
      child.on('error', (e: NodeJS.ErrnoException) => {
        cleanup();
        reject(spawnError(command, e));
      });
      child.on('close', (code, sig) => {
        cleanup();
        resolve({ code: code ?? (sig ? 128 : 1), stdout: out.toString(), stderr: err.toString() });
      });
    });
  }

  stream(command: string, args: string[], options: StreamOptions): StreamingProcess {
    const child = spawnGroup(command, args, options, ['ignore', 'pipe', 'pipe']);
    splitLines(child.stdout, options.onLine, 'stdout');
    splitLines(child.stderr, options.onLine, 'stderr');
    const { done, end } = exitOf(command, child, options);
    return { done, stop: end };
  }

  /** Copies the child's output to ours as it comes (logs), holding none of it. */
  passThrough(command: string, args: string[], options: RunOptions = {}): Promise<number> {
    return exitOf(command, spawnGroup(command, args, options, ['ignore', 'inherit', 'inherit']), options).done;
  }
}
