// Pure parsers for action inputs: each returns a typed value or throws a message naming the input.

export function parseList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseLines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function parseBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off', ''].includes(v)) return false;
  throw new Error(`Input '${name}' must be true or false, got '${value}'.`);
}

export function parseChoice<T extends string>(name: string, value: string, choices: readonly T[]): T {
  const v = value.trim().toLowerCase();
  const hit = choices.find((c) => c === v);
  if (!hit) throw new Error(`Input '${name}' must be one of ${choices.join(', ')}; got '${value}'.`);
  return hit;
}

/** Seconds as a number; `allowZero` for grace periods, where 0 means "kill at once". */
export function parseSeconds(name: string, value: string, allowZero = false): number {
  const v = value.trim();
  if (!/^\d+(\.\d+)?$/.test(v)) throw new Error(`Input '${name}' must be a number of seconds, got '${value}'.`);
  const n = Number(v);
  if (!allowZero && n <= 0) throw new Error(`Input '${name}' must be greater than 0, got '${value}'.`);
  return n;
}

export function parsePositiveInteger(name: string, value: string): number {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new Error(`Input '${name}' must be a positive whole number, got '${value}'.`);
  return Number(v);
}

/** `30m`, `72h`, `7d`, `2s`, or plain seconds (`90`). */
export function parseDuration(name: string, value: string): number {
  const m = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!m || n <= 0) throw new Error(`Input '${name}' must be a duration like 30m, 72h, 7d, 2s, or a number of seconds (90); got '${value}'.`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2].toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  return n * unit;
}

export function describeDuration(seconds: number): string {
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
