import { Probe } from '../../plan/wait-for';
import { poll, ProbeWaiter, ServiceFailure } from '../probe-context';

/** `http://…`: a request from this machine to the container (or the probe's own host). */
export const waitResponding: ProbeWaiter<Extract<Probe, { kind: 'http' }>> = (ctx, probe) =>
  poll(ctx, probe, 500, async (running) => {
    let host = probe.host || (await ctx.addressOf());
    let port = probe.port;
    if (!probe.host && host && !ctx.reachable(host)) {
      // A real request cannot be answered by the engine's proxy alone: the published port will do.
      const binding = ctx.container.facts?.bindings.find((b) => b.target === probe.port && b.protocol === 'tcp' && b.hostPort > 0);
      if (!binding) {
        throw new ServiceFailure(
          `its HTTP probe needs the container's address, and ${host} is not on a network of this machine (a remote engine?), nor is port ${probe.port} published; publish it, use a healthcheck, tcp: or log: for it, or give the probe a host that answers here`,
        );
      }
      host = ctx.publishedHost ?? '127.0.0.1';
      port = binding.hostPort;
      ctx.judge(`through the published port ${host}:${port}`);
    }
    if (!host || !running) return undefined;
    const url = `${probe.scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${probe.path}`;
    const why = await ctx.network.http(url, probe.status, 2000);
    if (!why) return 'responding';
    ctx.observe(why);
    return undefined;
  });
