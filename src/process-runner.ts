import { spawn } from 'child_process';

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
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StreamOptions extends RunOptions {
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** Cuts a stream's chunks into lines; a line without an end is cut rather than held forever. */
function lineSplitter(onLine: (line: string, stream: 'stdout' | 'stderr') => void, stream: 'stdout' | 'stderr'): (chunk: Buffer) => void {
  let rest = '';
  return (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    if (rest.length > 64 * 1024) rest = rest.slice(-64 * 1024);
    for (const line of lines) onLine(line.replace(/\r$/, ''), stream);
  };
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

function withTimeout(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  if (timeoutMs === undefined) return signal;
  const t = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, t]) : t;
}

export class SpawnRunner implements ProcessRunner {
  run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const signal = withTimeout(options.signal, options.timeoutMs);
      if (signal?.aborted) return reject(new Error(`'${command} ${args[0] ?? ''}' was cancelled`));
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], signal });
      const limit = options.maxBytes ?? 1 << 20;
      const out = new TailBuffer(limit);
      const err = new TailBuffer(limit);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      if (options.onLine) {
        child.stdout.on('data', lineSplitter(options.onLine, 'stdout'));
        child.stderr.on('data', lineSplitter(options.onLine, 'stderr'));
      }
      child.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError') reject(new Error(`'${command} ${args[0] ?? ''}' was cancelled`));
        else reject(spawnError(command, e));
      });
      child.on('close', (code, sig) => resolve({ code: code ?? (sig ? 128 : 1), stdout: out.toString(), stderr: err.toString() }));
    });
  }

  stream(command: string, args: string[], options: StreamOptions): StreamingProcess {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    child.stdout.on('data', lineSplitter(options.onLine, 'stdout'));
    child.stderr.on('data', lineSplitter(options.onLine, 'stderr'));
    const done = new Promise<number>((resolve, reject) => {
      child.on('error', (e: NodeJS.ErrnoException) => (e.name === 'AbortError' ? resolve(130) : reject(spawnError(command, e))));
      child.on('close', (code) => resolve(code ?? 130));
    });
    return {
      done,
      stop: () => {
        if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
      },
    };
  }

  passThrough(command: string, args: string[], options: RunOptions = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'inherit', 'inherit'], signal: withTimeout(options.signal, options.timeoutMs) });
      child.on('error', (e: NodeJS.ErrnoException) => (e.name === 'AbortError' ? resolve(130) : reject(spawnError(command, e))));
      child.on('close', (code) => resolve(code ?? 130));
    });
  }
}
