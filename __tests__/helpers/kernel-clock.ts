import * as fs from 'fs';

// The kernel's uptime is a clock a container and the runner side read alike (/proc/uptime, the
// machine's own): a container that prints it says when something happened inside it, without the
// delay of the engine's log stamps. Used by the tests and the bench.

/** /proc/uptime has centiseconds: a moment read in a container and converted here is known to within this. */
export const UPTIME_RESOLUTION_MS = 20;

/** A moment of the kernel's uptime, in seconds, as epoch milliseconds. */
export function uptimeToEpochMs(uptimeSeconds: number): number {
  return Date.now() - Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000 + uptimeSeconds * 1000;
}
