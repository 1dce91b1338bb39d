import { logTail, MAX_LOG_CHARS, serviceFailureMessage } from '../../../src/readiness/failure-description';

describe("a log's tail in a failure message", () => {
  it('is the log itself when short, and says so when there was none', () => {
    expect(logTail('booting\nFATAL: no disk\n')).toBe('booting\nFATAL: no disk');
    expect(logTail('  \n')).toBe('(no output)');
  });

  it('keeps the end of a log of long lines, from a line’s start, and says how much was cut', () => {
    const line = (n: number) => `line ${n} ${'.'.repeat(8000)}`;
    const log = [1, 2, 3, 4, 5].map(line).join('\n') + '\nFATAL: out of coffee';
    const tail = logTail(log);
    expect(tail.length).toBeLessThan(MAX_LOG_CHARS + 100);
    expect(tail).toMatch(/^\[\d+ earlier characters cut\]\nline 4 \.+\nline 5 \.+\nFATAL: out of coffee$/);
    // A single line longer than the bound keeps its end.
    expect(logTail('x'.repeat(3 * MAX_LOG_CHARS) + 'END')).toMatch(/x+END$/);
  });

  it('bounds the message of a service that printed lines of megabytes', () => {
    const logs = Array.from({ length: 50 }, () => 'y'.repeat(100_000)).join('\n');
    const message = serviceFailureMessage({ service: 'app', why: 'container p-app-1 exited with code 3 before it was ready', afterSeconds: 1, blocked: [], logLines: 50, logs });
    expect(message.length).toBeLessThan(MAX_LOG_CHARS + 500);
  });
});
