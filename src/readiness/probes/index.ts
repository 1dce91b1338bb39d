import { Probe } from '../../plan/wait-for';
import { ProbeWaiter } from '../probe-context';
import { waitExit } from './exit';
import { waitHealthy } from './healthy';
import { waitResponding } from './http';
import { waitLogMatch } from './log';
import { waitStarted } from './none';
import { waitRunning } from './running';
import { waitListening } from './tcp';

// One waiter per kind of probe. The table is typed by the Probe union, so a new kind in
// plan/wait-for.ts does not compile until its waiter is here.

const WAITERS: { [K in Probe['kind']]: ProbeWaiter<Extract<Probe, { kind: K }>> } = {
  none: waitStarted,
  running: waitRunning,
  exit: waitExit,
  healthy: waitHealthy,
  tcp: waitListening,
  http: waitResponding,
  log: waitLogMatch,
};

export function waiterFor<P extends Probe>(probe: P): ProbeWaiter<P> {
  return WAITERS[probe.kind] as ProbeWaiter<P>;
}
