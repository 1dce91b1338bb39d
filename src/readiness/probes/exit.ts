import { poll, ProbeWaiter } from '../probe-context';

/** `exit:<code>`: only the container's exit ends this wait (judged in poll before each look). */
export const waitExit: ProbeWaiter = (ctx, probe) => poll(ctx, probe, 200, () => Promise.resolve(undefined));
