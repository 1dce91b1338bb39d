import { listeningPorts, PROC_NET_TCP_HEADER } from '../../engine/proc-net-tcp';
import { Probe } from '../../plan/wait-for';
import { poll, ProbeContext, ProbeWaiter, ServiceFailure } from '../probe-context';

type TcpProbe = Extract<Probe, { kind: 'tcp' }>;

/** A refused connect at a container address costs microseconds: poll ports often, at a constant pace. */
const PORT_POLL_MS = 20;

/**
 * Ports accept connections. Probed at the container's address where this machine can reach it;
 * otherwise (a remote engine, no address) read inside the container from /proc/net/tcp.
 */
export const waitListening: ProbeWaiter<TcpProbe> = (ctx, probe) => {
  let open = 0; // how many of probe.ports already accepted: they are not asked again
  return poll(ctx, probe, 500, async (running) => {
    const host = await ctx.addressOf();
    if (!running) return undefined;
    if (!host || !ctx.reachable(host)) {
      const judged = await portsInside(ctx, probe, host);
      if (!judged) return undefined;
      ctx.judge(judged);
      return 'listening';
    }
    while (open < probe.ports.length) {
      const why = await ctx.network.tcp(host, probe.ports[open], 1000);
      if (why) {
        ctx.observe(why);
        return { retryInMs: PORT_POLL_MS };
      }
      open++;
    }
    let imagePort: number | undefined;
    if (probe.anyOf?.length) {
      // The image's own ports are tried together: which one a program opens is its choice.
      const answers = await Promise.all(probe.anyOf.map((p) => ctx.network.tcp(host, p, 1000)));
      imagePort = probe.anyOf.find((_, i) => answers[i] === undefined);
      if (imagePort === undefined) {
        ctx.observe(`none of the image's ports ${probe.anyOf.join(', ')} accepts yet (${answers[0]})`);
        return { retryInMs: PORT_POLL_MS };
      }
    }
    ctx.judge(judgedPorts(probe, imagePort));
    return 'listening';
  });
};

/**
 * Reads /proc/net/tcp and tcp6 inside the container for the probe's ports. Returns what the
 * verdict rests on once they listen, else undefined (and why, as the last observation).
 */
async function portsInside(ctx: ProbeContext, probe: TcpProbe, host: string | undefined): Promise<string | undefined> {
  const name = ctx.container.facts?.name ?? ctx.container.id;
  const read = async (command: string[]) => (await ctx.exec(command, 5000)) ?? { code: -1, output: '' };
  let r = await read(['cat', '/proc/net/tcp', '/proc/net/tcp6']);
  // 126/127: no usable `cat` at that path; a shell may still find one.
  if (!r.output.includes(PROC_NET_TCP_HEADER) && (r.code === 126 || r.code === 127)) r = await read(['sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null']);
  if (!r.output.includes(PROC_NET_TCP_HEADER)) {
    if (r.code === 126 || r.code === 127) {
      throw new ServiceFailure(
        `its ports cannot be checked: ${host ? `its address ${host} is not on a network of this machine` : 'it has no address to probe'}, and the image has no 'cat' or 'sh' to read /proc/net/tcp inside it; give the service a healthcheck, or a wait-for line (log:/<pattern>/, exit:<code>, running)`,
      );
    }
    ctx.observe(`could not read /proc/net/tcp in ${name}: ${r.output.slice(-200) || `exit ${r.code}`}`);
    return undefined;
  }
  const listening = listeningPorts(r.output);
  const missing = probe.ports.filter((p) => !listening.has(p));
  const imagePort = probe.anyOf?.find((p) => listening.has(p));
  if (missing.length > 0 || (probe.anyOf?.length && imagePort === undefined)) {
    ctx.observe(
      `nothing listens on ${missing.length > 0 ? `port ${missing.join(', ')}` : `any of the image's ports ${probe.anyOf?.join(', ')}`} inside ${name} (read from /proc/net/tcp)`,
    );
    return undefined;
  }
  return `${judgedPorts(probe, imagePort)}, read inside the container`;
}

/** The ports a tcp verdict rests on, for the readiness line. */
function judgedPorts(probe: TcpProbe, imagePort: number | undefined): string {
  const parts: string[] = [];
  if (probe.ports.length > 0) parts.push(`port${probe.ports.length > 1 ? 's' : ''} ${probe.ports.join(', ')}`);
  if (imagePort !== undefined) parts.push(`image port ${imagePort}${(probe.anyOf?.length ?? 0) > 1 ? ` of ${probe.anyOf?.join(', ')}` : ''}`);
  return parts.join('; ');
}
