import { healthcheckCommand } from '../../engine/docker-args';
import { ContainerFacts } from '../../engine/container-facts';
import { Probe } from '../../plan/wait-for';
import { poll, ProbeWaiter } from '../probe-context';

/**
 * The image's or compose's healthcheck. The engine runs it only every `interval`; an active probe
 * also runs the same test itself (docker exec) so a service healthy after 2 s is not judged after
 * the first interval of 30 s.
 */
export const waitHealthy: ProbeWaiter<Extract<Probe, { kind: 'healthy' }>> = (ctx, probe) =>
  poll(ctx, probe, 1000, async (running, backoff) => {
    const t = ctx.container;
    const facts = t.facts as ContainerFacts;
    if (t.eventHealth === 'healthy' || facts.health === 'healthy') return 'healthy';
    const cmd = probe.active && running && facts.healthcheckTest ? healthcheckCommand(facts.healthcheckTest, facts.shell) : undefined;
    if (cmd) {
      // The engine's own check may pass while ours runs: whichever says healthy first wins, and
      // the loser is ended so it does not hold a probe slot for the check's timeout.
      const healthyEvent = ctx.until(() => t.eventHealth === 'healthy' || t.exitCode !== undefined);
      const own = new AbortController();
      const stopOwn = () => own.abort();
      ctx.signal.addEventListener('abort', stopOwn);
      const exec = ctx.exec(cmd, facts.healthTimeoutMs ?? 30000, own.signal);
      exec.catch(() => undefined);
      const r = await Promise.race([exec, healthyEvent.promise]);
      healthyEvent.cancel();
      own.abort();
      ctx.signal.removeEventListener('abort', stopOwn);
      if (ctx.signal.aborted || t.exitCode !== undefined) return { retryInMs: 0 };
      if (r === undefined || r.code === 0) return 'healthy';
      ctx.observe(`health-check test exited ${r.code}${r.output ? `: ${r.output.slice(-200)}` : ''}`);
    }
    await backoff();
    // A health event has already said what an inspect would; skip the round trip.
    if (!ctx.signal.aborted && t.eventHealth !== 'healthy') await ctx.refresh();
    return { retryInMs: 0 };
  });
