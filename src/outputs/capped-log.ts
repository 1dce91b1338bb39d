import * as fs from 'fs';
import { hideSecrets, secretForms } from '../secrets/secret-values';

// One container's log as a file of the logs artifact: line by line as it streams, secrets hidden
// as in the step's log, and capped: the first `headBytes` are written as they come, the last
// `tailBytes` are kept in memory and written at the end after a marker saying how much was cut
// between. Memory stays at the tail's size whatever the log's.

export interface LogCaps {
  headBytes: number;
  tailBytes: number;
}

/** The first and the last MiB of each container's log: a start-up failure and the end both fit. */
export const DEFAULT_LOG_CAPS: LogCaps = { headBytes: 1024 * 1024, tailBytes: 1024 * 1024 };

export class CappedLogFile {
  private readonly fd: number;
  private written = 0;
  /**
   * The tail as a ring of bytes, not a list of lines: lines kept a while and then dropped would
   * outlive the young generation and pile up as garbage until a full collection, hundreds of MB
   * for a log of that size.
   */
  private readonly ring: Buffer;
  private ringEnd = 0;
  private ringFull = false;
  private droppedLast = -1;
  private tailLines = 0;
  private tailTotal = 0;
  private readonly secrets: string[];

  constructor(
    readonly file: string,
    secrets: string[],
    private readonly caps: LogCaps = DEFAULT_LOG_CAPS,
  ) {
    this.fd = fs.openSync(file, 'w', 0o600);
    // Longest first, every form, once: hideSecrets would redo this for each line.
    this.secrets = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
    this.ring = Buffer.alloc(Math.max(1, caps.tailBytes));
  }

  line(text: string): void {
    const masked = `${this.secrets.length > 0 ? hideSecrets(text, this.secrets) : text}\n`;
    const bytes = Buffer.byteLength(masked);
    if (this.tailTotal === 0 && this.written + bytes <= this.caps.headBytes) {
      fs.writeSync(this.fd, masked);
      this.written += bytes;
      return;
    }
    this.tailLines += 1;
    this.tailTotal += bytes;
    this.toRing(masked, bytes);
  }

  /**
   * Appends a line's bytes to the ring, overwriting the oldest; remembers the last byte overwritten,
   * which says whether the ring now starts at the beginning of a line.
   */
  private toRing(text: string, bytes: number): void {
    const size = this.ring.length;
    if (bytes >= size) {
      const data = Buffer.from(text);
      // Every line ends with a newline: the newest byte the ring held was one.
      this.droppedLast = bytes > size ? data[bytes - size - 1] : 10;
      data.copy(this.ring, 0, bytes - size);
      this.ringEnd = 0;
      this.ringFull = true;
      return;
    }
    const end = this.ringEnd + bytes;
    if (this.ringFull) this.droppedLast = this.ring[(end - 1) % size];
    else if (end > size) this.droppedLast = this.ring[end - size - 1];
    // Straight into the ring where it fits: no buffer of its own for each of millions of lines.
    if (end <= size) this.ring.write(text, this.ringEnd);
    else {
      const data = Buffer.from(text);
      data.copy(this.ring, this.ringEnd, 0, size - this.ringEnd);
      data.copy(this.ring, 0, size - this.ringEnd);
    }
    this.ringEnd = end % size;
    if (end >= size) this.ringFull = true;
  }

  /** The kept tail, from its first whole line on. */
  private keptTail(): Buffer {
    const kept = this.ringFull ? Buffer.concat([this.ring.subarray(this.ringEnd), this.ring.subarray(0, this.ringEnd)]) : this.ring.subarray(0, this.ringEnd);
    if (this.tailTotal <= kept.length || this.droppedLast === 10) return kept;
    const start = kept.indexOf(10) + 1;
    return start > 0 ? kept.subarray(start) : Buffer.alloc(0);
  }

  /** Writes the tail (after the marker, when something was cut) and closes; the bytes in the file. */
  close(): number {
    const tail = this.keptTail();
    if (tail.length < this.tailTotal) {
      let keptLines = 0;
      for (const b of tail) if (b === 10) keptLines += 1;
      const marker = `[ephemeral-compose: ${this.tailLines - keptLines} line(s), ${this.tailTotal - tail.length} byte(s) cut here; the file keeps the first ${this.caps.headBytes} and the last ${this.caps.tailBytes} bytes]\n`;
      fs.writeSync(this.fd, marker);
      this.written += Buffer.byteLength(marker);
    }
    if (tail.length > 0) fs.writeSync(this.fd, tail);
    this.written += tail.length;
    fs.closeSync(this.fd);
    return this.written;
  }
}
