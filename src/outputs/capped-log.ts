import * as fs from 'fs';
import { hideSecrets, secretForms } from './secrets';

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
  private readonly tail: string[] = [];
  private tailBytes = 0;
  private cutBytes = 0;
  private cutLines = 0;
  private readonly secrets: string[];

  constructor(
    readonly file: string,
    secrets: string[],
    private readonly caps: LogCaps = DEFAULT_LOG_CAPS,
  ) {
    this.fd = fs.openSync(file, 'w', 0o600);
    // Longest first, every form, once: hideSecrets would redo this for each line.
    this.secrets = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  }

  line(text: string): void {
    const masked = this.secrets.length > 0 ? hideSecrets(text, this.secrets) : text;
    const bytes = Buffer.byteLength(masked) + 1;
    if (this.written + bytes <= this.caps.headBytes && this.cutLines === 0 && this.tail.length === 0) {
      fs.writeSync(this.fd, `${masked}\n`);
      this.written += bytes;
      return;
    }
    this.tail.push(masked);
    this.tailBytes += bytes;
    while (this.tailBytes > this.caps.tailBytes && this.tail.length > 0) {
      const dropped = this.tail.shift() as string;
      const size = Buffer.byteLength(dropped) + 1;
      this.tailBytes -= size;
      this.cutBytes += size;
      this.cutLines += 1;
    }
  }

  /** Writes the tail (after the marker, when something was cut) and closes; the bytes in the file. */
  close(): number {
    if (this.cutLines > 0) {
      const marker = `[ephemeral-compose: ${this.cutLines} line(s), ${this.cutBytes} byte(s) cut here; the file keeps the first ${this.caps.headBytes} and the last ${this.caps.tailBytes} bytes]\n`;
      fs.writeSync(this.fd, marker);
      this.written += Buffer.byteLength(marker);
    }
    if (this.tail.length > 0) {
      const text = `${this.tail.join('\n')}\n`;
      fs.writeSync(this.fd, text);
      this.written += Buffer.byteLength(text);
    }
    fs.closeSync(this.fd);
    return this.written;
  }
}
