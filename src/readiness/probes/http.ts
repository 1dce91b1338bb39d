import { Probe } from '../../plan/wait-for';
import { poll, ProbeWaiter, ServiceFailure } from '../probe-context';

/** `http://…`: a request from this machine to the container (or the probe's own host). */
export const waitResponding: ProbeWaiter<Extract<Probe, { kind: 'http' }>> = (ctx, probe) =>
  poll(ctx, probe, 500, async (running) => {
    const host = probe.host || (await ctx.addressOf());
    if (!probe.host && host && !ctx.reachable(host)) {
      throw new ServiceFailure(
        `its HTTP probe needs the container's address, and ${host} is not on a network of this machine (a remote engine?); use a healthcheck, tcp: or log: for it, or give the probe a host that answers here`,
      );
    }
    if (!host || !running) return undefined;
    const url = `${probe.scheme}://${host.includes(':') ? `[${host}]` : host}:${probe.port}${probe.path}`;
    const why = await ctx.network.http(url, probe.status, 2000);
    if (!why) return 'responding';
    ctx.observe(why);
    return undefined;
  });
