import { poll, ProbeWaiter } from '../probe-context';

/** Running is weak evidence; the scheduler's settle window judges it again before the wait ends. */
export const waitRunning: ProbeWaiter = (ctx, probe) => poll(ctx, probe, 200, (running) => Promise.resolve(running ? 'running' : undefined));
