import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

// A second Docker engine on this machine standing in for a remote host: its own network namespace,
// reached over a veth pair on a /30 of our choosing, listening on TCP there. Its container address
// pools lie in a range this side routes `unreachable`, so no probe of a container address can leave
// the machine, whatever the default route leads to. Needs root (or passwordless sudo).

export interface RemoteEngine {
  /** The engine's host address, as URLs should name it. */
  host: string;
  /** DOCKER_HOST for it. */
  dockerHost: string;
  /** Its network namespace's path (for `nsenter --net=`): what runs there reaches the engine's loopback services. */
  netns: string;
  /** Runs the docker CLI against it. */
  docker(...args: string[]): string;
  /** Starts sshd in its namespace, so the engine is reached at ssh://user@host too. */
  startSsh(): Promise<RemoteSsh>;
  /** Ends its dockerd (SIGTERM, by PID), as an operator stopping the service would; the rest stays. */
  stopDaemon(): Promise<void>;
  /** Starts its dockerd again on the same data, and waits until it answers. */
  startDaemon(): Promise<void>;
  /**
   * Starts a writable registry (Debian's docker-registry) on the namespace's loopback, which the
   * engine reaches without TLS (loopback registries are insecure by default); its address as the
   * engine names it. Stopped with the engine.
   */
  startRegistry(): Promise<string>;
  /** Something accepts connections on `port` of the namespace's loopback (a service the test runs there). */
  listens(port: number): boolean;
  /** Stops it and removes every trace (namespace, link, routes, data). */
  stop(): void;
}

export interface RemoteSsh {
  /** DOCKER_HOST for the engine over ssh. */
  dockerHost: string;
  /**
   * The environment a run needs for it: PATH with an `ssh` that uses the test's key and known
   * hosts (OpenSSH reads ~/.ssh from the passwd entry, not $HOME, so a wrapper passes -F).
   */
  env: Record<string, string>;
  /** The same with a known_hosts that lacks the host. */
  unknownHostEnv: Record<string, string>;
  /** The same with a key the host does not accept. */
  refusedKeyEnv: Record<string, string>;
}

/**
 * The engine's programs: the machine's current engine as scripts/ensure-docker.sh lays it out
 * (dockerd with its own containerd and runc), else whatever dockerd is on PATH (GitHub's runners).
 */
const ENGINE_BIN = '/usr/local/lib/ephemeral-compose/engine-current/bin';
export function dockerdCommand(): string[] {
  return fs.existsSync(`${ENGINE_BIN}/dockerd`) ? ['env', `PATH=${ENGINE_BIN}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, `${ENGINE_BIN}/dockerd`] : ['dockerd'];
}
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

/** The engine's /_ping on port 2375 answered OK. */
function ping(host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port: 2375, path: '/_ping', timeout: 2000, agent: false }, (res) => {
      res.resume();
      if (res.statusCode === 200) resolve();
      else reject(new Error(`/_ping answered ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('no answer')));
    req.on('error', reject);
  });
}

export interface RemoteEngineOptions {
  /** Images kept in containerd (the engine's own builder can then export build caches). */
  containerdImageStore?: boolean;
}

export async function startRemoteEngine(images: string[], options: RemoteEngineOptions = {}): Promise<RemoteEngine> {
  const id = process.pid % 100000;
  // One engine at a time per jest worker: its addresses come from the worker's number (offset per
  // suite run, scripts/test-e2e.sh), so engines of parallel workers and runs never share a link, a
  // bridge or a container pool (or its route).
  const octet = Number(process.env.EC_ENGINE_SLOTS_FROM ?? '0') + Number(process.env.JEST_WORKER_ID ?? '1');
  const CONTAINER_POOL = `10.${230 + octet}.0.0/16`;
  const ns = `ec-remote-${id}`;
  const [here, there] = [`ecr${id}a`, `ecr${id}b`];
  const [hostSide, remote] = [`10.201.${octet}.1`, `10.201.${octet}.2`];
  const bridge = `10.202.${octet}.1/24`;
  const dataRoot = `/var/lib/ec-remote-${id}`;
  const execRoot = `/run/ec-remote-${id}`;
  const dockerHost = `tcp://${remote}:2375`;
  let sshDir: string | undefined;
  let registry: { process: ChildProcess; dir: string } | undefined;
  const stop = () => {
    if (registry) {
      if (registry.process.pid) tryRun(['kill', String(registry.process.pid)]);
      fs.rmSync(registry.dir, { recursive: true, force: true });
      registry = undefined;
    }
    if (sshDir) {
      tryRun(['sh', '-c', `[ -f ${sshDir}/sshd.pid ] && kill $(cat ${sshDir}/sshd.pid)`]);
      fs.rmSync(sshDir, { recursive: true, force: true });
    }
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
  const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ['pipe', 'pipe', 'pipe'] });
  const logFile = `/tmp/ec-remote-${id}-dockerd.log`;
  const pidFile = `${execRoot}/dockerd.pid`;
  const startDaemon = async () => {
    const [cmd, ...rest] = asRoot(
      inNs([
        ...dockerdCommand(),
        '--data-root',
        dataRoot,
        '--exec-root',
        execRoot,
        '--pidfile',
        pidFile,
        '-H',
        dockerHost,
        // Said outright: an engine on TCP without TLS otherwise waits 15 s before it listens
        // (Engine 27 and later), on every start.
        '--tls=false',
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
        ...(options.containerdImageStore ? ['--feature', 'containerd-snapshotter=true'] : []),
      ]),
    );
    const log = fs.openSync(logFile, 'a');
    const daemon: ChildProcess = spawn(cmd, rest, { detached: true, stdio: ['ignore', log, log] });
    daemon.unref();
    fs.closeSync(log);
    // Asked over HTTP in this process: a `docker` process every 200 ms costs the suite's CPU.
    for (let i = 0; ; i++) {
      try {
        await ping(remote);
        break;
      } catch (e) {
        if (i > 200) {
          stop();
          throw new Error(`the remote engine did not start: ${fs.readFileSync(logFile, 'utf8').slice(-2000)} ${(e as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  /** Ends dockerd as an operator would (SIGTERM to the PID it wrote) and waits until it is gone. */
  const stopDaemon = async () => {
    const pid = fs.readFileSync(pidFile, 'utf8').trim();
    run(['kill', '-TERM', pid]);
    for (let i = 0; i < 300 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
  };
  fs.writeFileSync(logFile, '');
  await startDaemon();
  const startSsh = async (): Promise<RemoteSsh> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-remote-ssh-'));
    const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, file)]);
    ['host_key', 'user_key', 'other_key'].forEach(keygen);
    const user = os.userInfo().username;
    // The remote side's `docker system dial-stdio` must talk to the remote engine, not this machine's.
    // Its own HOME: sshd runs each command through the user's shell, and bash started by sshd reads
    // ~/.bashrc, which on a developer's machine can take most of a second (pyenv, nvm) and, with the
    // action's parallel calls under a loaded CI, more than the 10 s an engine gets to answer.
    fs.mkdirSync(path.join(dir, 'home'));
    const environment = [`DOCKER_HOST=unix://${execRoot}/docker.sock`, `HOME=${dir}/home`].map((e) => `environment="${e}"`).join(',');
    fs.writeFileSync(path.join(dir, 'authorized_keys'), `${environment} ${fs.readFileSync(path.join(dir, 'user_key.pub'), 'utf8')}`);
    fs.writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        `ListenAddress ${remote}:22`,
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        `PidFile ${dir}/sshd.pid`,
        'PermitRootLogin prohibit-password',
        'PermitUserEnvironment yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
      ].join('\n') + '\n',
    );
    fs.writeFileSync(path.join(dir, 'known_hosts'), `${remote} ${fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8')}`);
    fs.writeFileSync(path.join(dir, 'empty_known_hosts'), '');
    const wrapper = (name: string, key: string, knownHosts: string): Record<string, string> => {
      const bin = path.join(dir, name);
      fs.mkdirSync(bin);
      fs.writeFileSync(
        path.join(dir, `${name}.config`),
        `Host ${remote}\n  IdentityFile ${dir}/${key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${dir}/${knownHosts}\n  StrictHostKeyChecking yes\n  BatchMode yes\n`,
      );
      fs.writeFileSync(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F ${dir}/${name}.config "$@"\n`, { mode: 0o755 });
      return { PATH: `${bin}:${process.env.PATH ?? ''}` };
    };
    run(['mkdir', '-p', '/run/sshd']);
    run(inNs(['/usr/sbin/sshd', '-f', path.join(dir, 'sshd_config')]));
    sshDir = dir;
    const env = wrapper('good', 'user_key', 'known_hosts');
    const dockerHostSsh = `ssh://${user}@${remote}`;
    for (let i = 0; ; i++) {
      try {
        execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env: { ...process.env, ...env, DOCKER_HOST: dockerHostSsh }, stdio: 'pipe' });
        break;
      } catch (e) {
        if (i > 50) throw new Error(`docker over ssh did not answer: ${(e as { stderr?: Buffer }).stderr?.toString() ?? (e as Error).message}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    return { dockerHost: dockerHostSsh, env, unknownHostEnv: wrapper('unknown', 'user_key', 'empty_known_hosts'), refusedKeyEnv: wrapper('refused', 'other_key', 'known_hosts') };
  };
  const listens = (port: number): boolean => {
    try {
      run(inNs(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]));
      return true;
    } catch {
      return false;
    }
  };
  const startRegistry = async (): Promise<string> => {
    const binary = execFileSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'registry.sh'), 'binary'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop() as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-remote-registry-'));
    const config = ['version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`, 'http:', '  addr: 127.0.0.1:5000', ''];
    fs.writeFileSync(path.join(dir, 'config.yml'), config.join('\n'));
    const [cmd, ...rest] = asRoot(inNs([binary, 'serve', path.join(dir, 'config.yml')]));
    const log = fs.openSync(path.join(dir, 'registry.log'), 'a');
    registry = { process: spawn(cmd, rest, { stdio: ['ignore', log, log] }), dir };
    fs.closeSync(log);
    for (let i = 0; !listens(5000); i++) {
      if (i > 100) throw new Error(`the registry did not start: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8').slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return 'localhost:5000';
  };
  // No registry: the images come over as `docker save | docker load`.
  for (const image of images) execFileSync('sh', ['-c', `docker save "$1" | DOCKER_HOST="$2" docker load -q`, 'sh', image, dockerHost], { stdio: 'ignore' });
  return { host: remote, dockerHost, netns: `/run/netns/${ns}`, docker, startSsh, startRegistry, listens, stopDaemon, startDaemon, stop };
}
