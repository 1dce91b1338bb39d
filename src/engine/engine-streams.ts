import { lineSplitter } from './process-runner';

// The engine's streamed answers (logs, exec output, events), cut as the CLI would print them.

export type StreamName = 'stdout' | 'stderr';

/** The content type of a log or exec stream with a frame header per chunk (API 1.42+ names it). */
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/**
 * Splits the engine's multiplexed stream into stdout and stderr bytes. Every frame is an 8-byte
 * header (stream: 0 stdin, 1 stdout, 2 stderr; three zero bytes; the payload's size, big-endian)
 * and its payload; a chunk of the response may end anywhere in a frame.
 */
export function demultiplexer(onData: (chunk: Buffer, stream: StreamName) => void): (chunk: Buffer) => void {
  let parts: Buffer[] = [];
  let have = 0;
  // Bytes needed before anything can be read: a header, then its whole frame. Chunks are joined
  // only then, so a large frame that comes in many small chunks is copied once, not once a chunk.
  let need = 8;
  return (chunk: Buffer) => {
    parts.push(chunk);
    have += chunk.length;
    if (have < need) return;
    let pending = Buffer.concat(parts, have);
    while (pending.length >= 8 && pending.length >= 8 + pending.readUInt32BE(4)) {
      const size = pending.readUInt32BE(4);
      onData(pending.subarray(8, 8 + size), pending[0] === 2 ? 'stderr' : 'stdout');
      pending = pending.subarray(8 + size);
    }
    parts = pending.length > 0 ? [pending] : [];
    have = pending.length;
    need = have >= 8 ? 8 + pending.readUInt32BE(4) : 8;
  };
}

/** Each stream's bytes cut into lines, as the process runner cuts a child's output; `end` gives each stream's last line when it has no newline. */
export function linesOf(onLine: (line: string, stream: StreamName) => void): ((chunk: Buffer, stream: StreamName) => void) & { end: () => void } {
  const splitters = { stdout: lineSplitter(onLine, 'stdout'), stderr: lineSplitter(onLine, 'stderr') };
  const push = (chunk: Buffer, stream: StreamName) => splitters[stream](chunk);
  return Object.assign(push, {
    end: () => {
      splitters.stdout.end();
      splitters.stderr.end();
    },
  });
}
