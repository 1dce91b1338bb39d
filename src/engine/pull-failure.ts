// Why a pull failed, read from the engine's message (compose passes it on): what the action does
// next depends on it. A transient fault is tried again; the registry's rate limit is waited out
// when it can be; a missing image or refused credentials fail at once, as trying again cannot help.

/** The engine's reason in a pull's output (compose's or the CLI's): its last `Error response from daemon` line, else its last line. */
export function pullErrorReason(output: string): string {
  const lines = output.trim().split('\n');
  const daemon = lines.filter((l) => /Error response from daemon:/.test(l)).pop();
  return (daemon ?? lines.pop() ?? '').replace(/^.*Error response from daemon:\s*/, '').trim() || 'the pull failed';
}

export type PullFailureKind = 'missing' | 'unauthorized' | 'rate-limited' | 'transient' | 'other';

/** Ordered: the engine wraps one error in another, and the first match is the root cause. */
const KINDS: [PullFailureKind, RegExp][] = [
  ['rate-limited', /toomanyrequests|too many requests|\b429\b|rate limit/i],
  ['unauthorized', /unauthorized|authentication required|pull access denied|access (to the resource )?is denied|denied:|\b40[13]\b|forbidden|incorrect username or password/i],
  ['missing', /manifest unknown|manifest for .* not found|name unknown|not found: manifest|repository .* not found|no such image|\b404\b/i],
  [
    'transient',
    /\b5\d\d\b|service unavailable|bad gateway|gateway time-?out|internal server error|unavailable:|\bEOF\b|connection reset|connection refused|broken pipe|i\/o timeout|timed? ?out|TLS handshake|temporary failure|no progress/i,
  ],
];

export function pullFailureKind(message: string): PullFailureKind {
  return KINDS.find(([, pattern]) => pattern.test(message))?.[0] ?? 'other';
}

/**
 * The wait before try number `attempt` (1 for the first retry): doubling from one second, at most
 * half a minute, so a registry that is down for a while is not hammered.
 */
export function backoffMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** (attempt - 1));
}

/** A `Retry-After` told in the engine's message, when the registry's answer was passed on (seconds). */
export function retryAfterSeconds(message: string): number | undefined {
  const m = /retry[- ]after:?\s*(\d+)/i.exec(message);
  return m ? Number(m[1]) : undefined;
}
