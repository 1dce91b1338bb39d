import { ContainerFacts } from '../engine/container-facts';
import { EngineEvent } from '../engine/engine-events';
import { StreamingProcess } from '../engine/process-runner';

/** What the scheduler needs from the engine; the action adapts its docker module to it. */
export interface StackEngine {
  inspect(ids: string[]): Promise<ContainerFacts[]>;
  start(ids: string[]): Promise<void>;
  /** For services whose start compose must do itself (v2 post_start hooks). */
  composeStart(services: string[]): Promise<void>;
  tailLogs(id: string, lines: number): Promise<string>;
  exec(id: string, command: string[], timeoutMs: number, signal: AbortSignal): Promise<{ code: number; output: string }>;
  followLogs(id: string, onLine: (line: string) => void, signal: AbortSignal): StreamingProcess;
  watchEvents(onEvent: (e: EngineEvent) => void, signal: AbortSignal): StreamingProcess;
}
