import { ConcurrencyLimit } from './concurrency-limit';
import { StackEngine } from './stack-engine';

// One start call for services that became startable together. The engine starts their containers
// in one request; compose starts the services whose start it must run itself (post_start hooks).

export interface Batch {
  /** Containers the engine starts together. */
  together: string[];
  /**
   * Containers whose host ports come from a declared range: one at a time, after the rest, as
   * compose does (concurrent starts race in the engine's choice of port).
   */
  alone: string[];
  /** Services compose starts. */
  viaCompose: string[];
}

export async function startBatch(engine: Pick<StackEngine, 'start' | 'composeStart'>, batch: Batch, aloneLimit: ConcurrencyLimit): Promise<void> {
  await Promise.all([
    (async () => {
      await engine.start(batch.together);
      // The limit is shared by every batch: containers that start alone do so across calls too.
      for (const id of batch.alone) await aloneLimit.run(() => engine.start([id]));
    })(),
    batch.viaCompose.length > 0 ? engine.composeStart(batch.viaCompose) : Promise.resolve(),
  ]);
}
