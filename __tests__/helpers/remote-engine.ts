import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';

// A second Docker engine on this machine standing in for a remote host: its own network namespace,
// reached over a veth pair on a /30 of our choosing, listening on TCP there. Its container address
// pools lie in a range this side routes `unreachable`, so no probe of a container address can leave
// the machine, whatever the default route leads to. Needs root (or passwordless sudo).

export interface RemoteEngine {
  /** The engine's host address, as URLs should name it. */
  host: string;
  /** DOCKER_HOST for it. */
  dockerHost: string;
  /** Runs the docker CLI against it. */
  docker(...args: string[]): string;
  /** Stops it and removes every trace (namespace, link, routes, data). */
  stop(): void;
}

const CONTAINER_POOL = '10.203.0.0/16';
const asRoot = (argv: string[]): string[] => (process.getuid?.() === 0 ? argv : ['sudo', '-n', ...argv]);
const run = (argv: string[]): string => {
  const [cmd, ...rest] = asRoot(argv);
  return execFileSync(cmd, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
};
const tryRun = (argv: string[]): void => {
  try {
    run(argv);
  } catch {
    // cleanup of something that may not exist
  }
};

export async function startRemoteEngine(images: string[]): Promise<RemoteEngine> {
  const id = process.pid % 100000;
  const octet = process.pid % 250;
  const ns = `ec-remote-${id}`;
  const [here, there] = [`ecr${id}a`, `ecr${id}b`];
  const [hostSide, remote] = [`10.201.${octet}.1`, `10.201.${octet}.2`];
  const bridge = `10.202.${octet}.1/24`;
  const dataRoot = `/var/lib/ec-remote-${id}`;
  const execRoot = `/run/ec-remote-${id}`;
  const dockerHost = `tcp://${remote}:2375`;
  const stop = () => {
    tryRun([
      'sh',
      '-c',
      `[ -f ${execRoot}/dockerd.pid ] && kill $(cat ${execRoot}/dockerd.pid); for i in $(seq 1 100); do [ -f ${execRoot}/dockerd.pid ] || break; sleep 0.1; done`,
    ]);
    tryRun(['ip', 'link', 'del', here]);
    tryRun(['ip', 'netns', 'del', ns]);
    tryRun(['ip', 'route', 'del', 'unreachable', CONTAINER_POOL]);
    tryRun(['ip', 'route', 'del', 'unreachable', `10.202.${octet}.0/24`]);
    tryRun(['rm', '-rf', dataRoot, execRoot]);
  };
  stop();
  run(['ip', 'netns', 'add', ns]);
  run(['ip', 'link', 'add', here, 'type', 'veth', 'peer', 'name', there]);
  run(['ip', 'link', 'set', there, 'netns', ns]);
  run(['ip', 'addr', 'add', `${hostSide}/30`, 'dev', here]);
  run(['ip', 'link', 'set', here, 'up']);
  // `nsenter --net`, not `ip netns exec`: the latter remounts /sys, and dockerd then finds no cgroups.
  const inNs = (argv: string[]) => ['nsenter', `--net=/run/netns/${ns}`, ...argv];
  run(inNs(['sh', '-c', `ip addr add ${remote}/30 dev ${there} && ip link set ${there} up && ip link set lo up`]));
  run(['ip', 'route', 'add', 'unreachable', CONTAINER_POOL]);
  run(['ip', 'route', 'add', 'unreachable', `10.202.${octet}.0/24`]);
  run(['mkdir', '-p', dataRoot, execRoot]);
  const [cmd, ...rest] = asRoot(
    inNs([
      'dockerd',
      '--data-root',
      dataRoot,
      '--exec-root',
      execRoot,
      '--pidfile',
      `${execRoot}/dockerd.pid`,
      '-H',
      dockerHost,
      '-H',
      `unix://${execRoot}/docker.sock`,
      '--bip',
      bridge,
      '--default-address-pool',
      `base=${CONTAINER_POOL},size=24`,
      // Its own namespaces in a containerd it might share with the machine's engine.
      '--containerd-namespace',
      `ec-remote-${id}`,
      '--containerd-plugins-namespace',
      `ec-remote-${id}-plugins`,
    ]),
  );
  const log = fs.openSync(`/tmp/ec-remote-${id}-dockerd.log`, 'w');
  const daemon: ChildProcess = spawn(cmd, rest, { detached: true, stdio: ['ignore', log, log] });
  daemon.unref();
  const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ['pipe', 'pipe', 'pipe'] });
  for (let i = 0; ; i++) {
    try {
      docker('version', '--format', '{{.Server.Version}}');
      break;
    } catch (e) {
      if (i > 100) {
        stop();
        throw new Error(`the remote engine did not start: ${fs.readFileSync(`/tmp/ec-remote-${id}-dockerd.log`, 'utf8').slice(-2000)} ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // No registry: the images come over as `docker save | docker load`.
  for (const image of images) execFileSync('sh', ['-c', `docker save "$1" | DOCKER_HOST="$2" docker load -q`, 'sh', image, dockerHost], { stdio: 'ignore' });
  return { host: remote, dockerHost, docker, stop };
}
