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
  /** Container port -> host port, once the ports are judged through the engine's published ports. */
  let published: Map<number, number> | undefined;
  return poll(ctx, probe, 500, async (running) => {
    const host = await ctx.addressOf();
    if (!running) return undefined;
    if (!host || !ctx.reachable(host)) {
      if (!published) {
        const inside = await portsInside(ctx, probe);
        if (inside !== NO_READER) {
          if (!inside) return undefined;
          ctx.judge(inside);
          return 'listening';
        }
        published = publishedPorts(ctx, probe, host);
      }
      const judged = await heldOpen(ctx, probe, published);
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

const NO_READER = Symbol('no cat or sh in the image');

/**
 * The engine's published ports for the probe's ports, for an image that cannot be read inside;
 * every port it needs must be published (one of the image's own is enough).
 */
function publishedPorts(ctx: ProbeContext, probe: TcpProbe, host: string | undefined): Map<number, number> {
  const map = new Map<number, number>();
  for (const b of ctx.container.facts?.bindings ?? []) if (b.protocol === 'tcp' && b.hostPort > 0 && !map.has(b.target)) map.set(b.target, b.hostPort);
  const missing = probe.ports.filter((p) => !map.has(p));
  if (missing.length > 0 || (probe.ports.length === 0 && !(probe.anyOf ?? []).some((p) => map.has(p)))) {
    throw new ServiceFailure(
      `its ports cannot be checked: ${host ? `its address ${host} is not on a network of this machine` : 'it has no address to probe'}, the image has no 'cat' or 'sh' to read /proc/net/tcp inside it, and port ${(missing.length > 0 ? missing : (probe.anyOf ?? [])).join(', ')} is not published; give the service a healthcheck, or a wait-for line (log:/<pattern>/, exit:<code>, running), or publish the port`,
    );
  }
  return map;
}

/**
 * Connects to the published ports on the engine's host, with a check the engine's userland proxy
 * cannot pass on its own (it accepts at once, then drops the connection while nothing listens).
 */
async function heldOpen(ctx: ProbeContext, probe: TcpProbe, published: Map<number, number>): Promise<string | undefined> {
  const host = ctx.publishedHost ?? '127.0.0.1';
  const check = async (port: number) => {
    const why = await ctx.network.tcpHeld(host, published.get(port) as number, HOLD_MS, 2000);
    if (why) ctx.observe(`port ${port} through ${host}:${published.get(port)}: ${why}`);
    return !why;
  };
  for (const p of probe.ports) if (!(await check(p))) return undefined;
  let imagePort: number | undefined;
  if (probe.ports.length === 0) {
    for (const p of (probe.anyOf ?? []).filter((x) => published.has(x))) if (await check(p)) imagePort = p;
    if (imagePort === undefined) return undefined;
  }
  const via = [...probe.ports, ...(imagePort !== undefined ? [imagePort] : [])].map((p) => `${host}:${published.get(p)}`).join(', ');
  return `${judgedPorts(probe, imagePort)}, through the published port${via.includes(',') ? 's' : ''} ${via}`;
}

/** How long a connection through a published port must stay open to count as a listener's. */
const HOLD_MS = 300;

/**
 * Reads /proc/net/tcp and tcp6 inside the container for the probe's ports. Returns what the
 * verdict rests on once they listen, else undefined (and why, as the last observation), or
 * NO_READER when the image has neither cat nor sh.
 */
async function portsInside(ctx: ProbeContext, probe: TcpProbe): Promise<string | undefined | typeof NO_READER> {
  const name = ctx.container.facts?.name ?? ctx.container.id;
  const read = async (command: string[]) => (await ctx.exec(command, 5000)) ?? { code: -1, output: '' };
  let r = await read(['cat', '/proc/net/tcp', '/proc/net/tcp6']);
  // 126/127: no usable `cat` at that path; a shell may still find one.
  if (!r.output.includes(PROC_NET_TCP_HEADER) && (r.code === 126 || r.code === 127)) r = await read(['sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null']);
  if (!r.output.includes(PROC_NET_TCP_HEADER)) {
    if (r.code === 126 || r.code === 127) return NO_READER;
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
