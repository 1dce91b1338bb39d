import { ProbeWaiter } from '../probe-context';

/** `wait-for: none` (and services with nothing to judge): started is enough. */
export const waitStarted: ProbeWaiter = () => Promise.resolve('started');
