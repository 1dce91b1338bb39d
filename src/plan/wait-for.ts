import { errorText } from '../compose/error-text';

// The `wait-for` input: one line per service overriding how its readiness is judged.
//   web: http://:8080/health status=200 timeout=60
//   db: tcp:3306            worker: log:/ready to accept connections/i
//   migrate: exit:0         cache: none        db: healthy engine
//   myapp: running 5s       (stays up 5 s after its start)

/**
 * How long a service judged only by "running" must stay up after its start. A program that crashes
 * on a missing dependency does so once it has loaded: a Python or Node service in about a second,
 * one that imports a large framework (Airflow, Django) or a JVM in a few. Three seconds catches
 * most, and the window runs alongside the rest of the stack's start; `running <duration>` sets it.
 */
export const RUNNING_SETTLE_MS = 3000;

export type Probe =
  | { kind: 'healthy'; active: boolean }
  /** Every port of `ports` must accept; of `anyOf` (ports only the image EXPOSEs), one is enough. */
  | { kind: 'tcp'; ports: number[]; anyOf?: number[] }
  | { kind: 'http'; scheme: 'http' | 'https'; host: string; port: number; path: string; status?: number }
  | { kind: 'log'; pattern: RegExp }
  | { kind: 'exit'; code: number }
  /** Running, and still running `settleMs` after its start (default RUNNING_SETTLE_MS). */
  | { kind: 'running'; settleMs?: number }
  | { kind: 'none' };

export interface WaitRule {
  probe: Probe;
  /** Seconds, counted from the service's start; overrides the step's `timeout` for it. */
  timeoutSeconds?: number;
}

const SYNTAX =
  "expected '<service>: <probe> [timeout=<seconds>]' with probe one of healthy, tcp:<port>, http://[host]:<port>/<path>, log:/<regex>/, exit:<code>, running [<duration>], none";

function fail(line: string, why: string): never {
  throw new Error(`Input 'wait-for': cannot read '${line}': ${why} (${SYNTAX}).`);
}

function parsePort(text: string, line: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) fail(line, `'${text}' is not a port`);
  return n;
}

function parseProbe(text: string, options: Record<string, string>, line: string): Probe {
  if (text === 'healthy') return { kind: 'healthy', active: options.engine === undefined };
  if (text === 'running') return { kind: 'running' };
  if (text.startsWith('running ')) {
    const d = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text.slice('running '.length).trim());
    if (!d) fail(line, `'${text.slice('running '.length).trim()}' is not a duration (e.g. 5s, 500ms)`);
    return { kind: 'running', settleMs: Math.round(Number(d[1]) * (d[2] === 'ms' ? 1 : 1000)) };
  }
  if (text === 'none') return { kind: 'none' };
  if (text.startsWith('tcp:')) {
    return {
      kind: 'tcp',
      ports: text
        .slice(4)
        .split(',')
        .map((p) => parsePort(p.trim(), line)),
    };
  }
  if (text.startsWith('exit:')) {
    const code = text.slice(5);
    if (!/^\d+$/.test(code) || Number(code) > 255) fail(line, `'${code}' is not an exit code`);
    return { kind: 'exit', code: Number(code) };
  }
  if (text.startsWith('log:')) {
    const m = /^log:\/(.*)\/([a-z]*)$/s.exec(text);
    if (!m || m[1] === '') fail(line, 'a log probe is written log:/<regular expression>/<flags>');
    // g and y make a RegExp remember where it last matched, so the same line could fail the next test.
    const flags = m[2].replace(/[gy]/g, '');
    try {
      return { kind: 'log', pattern: new RegExp(m[1], flags) };
    } catch (e) {
      fail(line, `bad regular expression: ${errorText(e)}`);
    }
  }
  const http = /^(https?):\/\/(\[[^\]]*\]|[^/:]*):(\d+)(\/\S*)?$/.exec(text);
  if (http) {
    let status: number | undefined;
    if (options.status !== undefined) {
      if (!/^\d{3}$/.test(options.status)) fail(line, `'status=${options.status}' is not an HTTP status`);
      status = Number(options.status);
    }
    return {
      kind: 'http',
      scheme: http[1] as 'http' | 'https',
      host: http[2].replace(/^\[|\]$/g, ''),
      port: parsePort(http[3], line),
      path: http[4] ?? '/',
      status,
    };
  }
  if (/^https?:/.test(text)) fail(line, 'an HTTP probe needs a port, e.g. http://:8080/health');
  return fail(line, `unknown probe '${text}'`);
}

const OPTION = /\s+(timeout|status)=(\S*)$|\s+(engine)$/;

export function parseWaitFor(lines: string[]): Record<string, WaitRule> {
  const rules: Record<string, WaitRule> = {};
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) fail(line, "no '<service>:' at the start");
    const service = line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(service)) fail(line, "no '<service>:' at the start");
    let rest = line.slice(colon + 1).trim();
    const options: Record<string, string> = {};
    for (let m = OPTION.exec(rest); m; m = OPTION.exec(rest)) {
      if (m[3]) options.engine = '';
      else options[m[1]] = m[2];
      rest = rest.slice(0, m.index).trim();
    }
    if (rest === '') fail(line, 'no probe after the service name');
    if (rules[service]) fail(line, `service '${service}' has more than one line`);
    const rule: WaitRule = { probe: parseProbe(rest, options, line) };
    if (options.timeout !== undefined) {
      if (!/^\d+(\.\d+)?$/.test(options.timeout) || Number(options.timeout) <= 0) fail(line, `'timeout=${options.timeout}' is not a positive number of seconds`);
      rule.timeoutSeconds = Number(options.timeout);
    }
    rules[service] = rule;
  }
  return rules;
}

export function describeProbe(probe: Probe): string {
  switch (probe.kind) {
    case 'healthy':
      return 'healthcheck to pass';
    case 'tcp': {
      const all = probe.ports.length > 0 ? `port${probe.ports.length > 1 ? 's' : ''} ${probe.ports.join(', ')}` : '';
      const any = probe.anyOf?.length ? `${probe.anyOf.length > 1 ? 'one of ' : ''}image port${probe.anyOf.length > 1 ? 's' : ''} ${probe.anyOf.join(', ')}` : '';
      return `${[all, any].filter(Boolean).join(' and ')} to accept connections`;
    }
    case 'http':
      return `${probe.scheme}://${probe.host || '<container>'}:${probe.port}${probe.path} to answer ${probe.status ?? '2xx/3xx'}`;
    case 'log':
      return `log line matching ${probe.pattern}`;
    case 'exit':
      return `exit with code ${probe.code}`;
    case 'running':
      return `container to run for ${((probe.settleMs ?? RUNNING_SETTLE_MS) / 1000).toFixed(1).replace(/\.0$/, '')} s`;
    case 'none':
      return 'nothing';
  }
}
