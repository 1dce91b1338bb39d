import { ContainerFacts } from '../engine/container-facts';

// Services that were up when the main step ended and are not any more when post runs: they died
// during the job's own steps (the tests), which would otherwise pass unnoticed.

/** A container main left running, as saved in state. */
export interface WatchedContainer {
  service: string;
  id: string;
  /** The engine's restart count when main ended. */
  restarts: number;
}

export interface ExitAfterMain {
  service: string;
  container: string;
  /** The exit code, or undefined while the engine keeps restarting it. */
  exitCode?: number;
  /** When it stopped (ISO 8601), when the engine says. */
  at?: string;
  restartsSince: number;
  /** A non-zero exit or a restart: a failure. An exit 0 may be a program that finished its work. */
  failed: boolean;
}

export function exitsAfterMain(watched: WatchedContainer[], facts: ContainerFacts[]): ExitAfterMain[] {
  const byId = new Map(facts.map((f) => [f.id, f]));
  const out: ExitAfterMain[] = [];
  for (const w of watched) {
    const f = byId.get(w.id);
    if (!f) continue; // removed by someone else: nothing to say about how it ended
    const restartsSince = Math.max(0, f.restartCount - w.restarts);
    const stopped = f.status === 'exited' || f.status === 'dead';
    if (!stopped && restartsSince === 0) continue;
    out.push({
      service: w.service,
      container: f.name,
      exitCode: stopped ? f.exitCode : undefined,
      at: f.finishedAt !== undefined ? new Date(f.finishedAt).toISOString() : undefined,
      restartsSince,
      failed: !stopped || f.exitCode !== 0 || restartsSince > 0,
    });
  }
  return out;
}

/** One sentence for the annotation and the summary. */
export function describeExit(e: ExitAfterMain): string {
  const how = e.exitCode !== undefined ? `exited with code ${e.exitCode}` : `is restarting (${e.restartsSince} restart${e.restartsSince === 1 ? '' : 's'})`;
  const restarts = e.exitCode !== undefined && e.restartsSince > 0 ? ` after ${e.restartsSince} restart${e.restartsSince === 1 ? '' : 's'}` : '';
  return `Service '${e.service}' (${e.container}) ${how}${restarts}${e.at ? ` at ${e.at}` : ''}, after the main step had found it ready.`;
}
