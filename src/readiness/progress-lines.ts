import { ReadyHow } from './outcomes';

// The lines the wait writes to the step's log as it goes: one per start call and one per service
// verdict, in columns so a stack of many services reads as a table.

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export function startingLine(levels: number[], batch: string[], elapsedMs: number): string {
  return `Level ${levels.join('+')}: starting ${batch.join(', ')} (${seconds(elapsedMs)})`;
}

export function readyLine(service: string, how: ReadyHow, ms: number, judged?: string): string {
  return `  ${service.padEnd(20)} ${how.padEnd(12)} ${seconds(ms)}${judged ? `  (${judged})` : ''}`;
}

export function restartingLine(service: string, restarts: number, code: number, waitingFor: string[]): string {
  const verb = waitingFor.length > 1 ? 'are' : 'is';
  return `  ${service.padEnd(20)} ${'restarting'.padEnd(12)} ${restarts} exits (last code ${code}); judged once ${waitingFor.join(', ')} ${verb} up`;
}
