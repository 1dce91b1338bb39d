// One line of `docker events --format '{{json .}}'`, reduced to what readiness needs.

export interface EngineEvent {
  id: string;
  action: string; // start | die | health_status | restart | ...
  health?: string; // for health_status: healthy | unhealthy
  exitCode?: number; // for die
  timeMs: number;
}

export function parseEventLine(line: string): EngineEvent | undefined {
  if (!line.trim().startsWith('{')) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
  const id = (raw.id as string | undefined) ?? actor.ID;
  const said = raw.Action ?? raw.status;
  let action = typeof said === 'string' ? said : '';
  if (!id || !action) return undefined;
  let health: string | undefined;
  // Engines write "health_status: healthy"; some older ones put the status in the action alone.
  const hm = /^health_status:\s*(\w+)/.exec(action);
  if (hm) {
    health = hm[1];
    action = 'health_status';
  }
  const exit = actor.Attributes?.exitCode;
  const nanos = Number(raw.timeNano ?? 0);
  return {
    id,
    action,
    health,
    exitCode: exit !== undefined ? Number(exit) : undefined,
    timeMs: nanos > 0 ? nanos / 1e6 : Number(raw.time ?? 0) * 1000,
  };
}
