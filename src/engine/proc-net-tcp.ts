// Listening TCP sockets as the kernel lists them in /proc/net/tcp and /proc/net/tcp6, read inside a
// container (its own network namespace) when its address cannot be reached from here.

/** The header line both files start with: how an answer is known to be these files at all. */
export const PROC_NET_TCP_HEADER = 'local_address';

/** TCP state 0A is LISTEN. */
const LISTEN = '0A';

export function listeningPorts(text: string): Set<number> {
  const ports = new Set<number>();
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st ...
    if (fields.length < 4 || fields[3] !== LISTEN) continue;
    const port = parseInt(fields[1].split(':').pop() ?? '', 16);
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return ports;
}
