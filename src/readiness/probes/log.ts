import { Probe } from '../../plan/wait-for';
import { ProbeWaiter, ServiceFailure } from '../probe-context';

/** `log:/pattern/`: the container's output, followed as it comes, until a line matches. */
export const waitLogMatch: ProbeWaiter<Extract<Probe, { kind: 'log' }>> = (ctx, probe) =>
  new Promise((resolve, reject) => {
    const t = ctx.container;
    const controller = new AbortController();
    const stopAll = () => controller.abort();
    ctx.signal.addEventListener('abort', stopAll);
    const follow = ctx.followLogs((line) => {
      if (probe.pattern.test(line)) {
        controller.abort();
        resolve('log matched');
      }
    }, controller.signal);
    follow.done.then(() => {
      ctx.signal.removeEventListener('abort', stopAll);
      if (controller.signal.aborted) return;
      // The log ended: the container exited without printing the line.
      reject(new ServiceFailure(`container ${t.facts?.name ?? t.id} stopped before a log line matched ${probe.pattern}`));
    }, reject);
    ctx.observe(`no log line matched ${probe.pattern} yet`);
  });
