import { listeningPorts } from '../../../src/engine/proc-net-tcp';
import { chooseReachability, engineHostName, engineIsLocal, isOnLocalNetwork } from '../../../src/engine/reachability';

const interfaces = {
  lo: [
    { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' },
    { address: '::1', netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', family: 'IPv6' },
  ],
  eth0: [{ address: '192.0.2.2', netmask: '255.255.255.0', family: 'IPv4' }],
  'br-1234': [
    { address: '172.18.0.1', netmask: '255.255.0.0', family: 'IPv4' },
    { address: 'fd00:ec::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' },
  ],
};

describe('isOnLocalNetwork', () => {
  it.each(['172.18.0.5', '127.0.0.1', '192.0.2.77', 'fd00:ec::3', '::1'])('%s is on a network of ours', (ip) => expect(isOnLocalNetwork(ip, interfaces)).toBe(true));
  it.each(['172.19.0.5', '10.0.0.2', '8.8.8.8', 'fd00:ed::3', '::2', 'not-an-ip'])('%s is not', (ip) => expect(isOnLocalNetwork(ip, interfaces)).toBe(false));
});

describe('chooseReachability', () => {
  it('reads the interfaces again only for an address not on the last list, and for one on none at most once a second', () => {
    let reads = 0;
    let current: Record<string, typeof interfaces.lo> = { lo: interfaces.lo, eth0: interfaces.eth0 };
    let clock = 0;
    const r = chooseReachability(
      undefined,
      () => {
        reads++;
        return current;
      },
      () => clock,
    );
    expect(reads).toBe(1);
    // The project's bridge appears after the route was chosen (a job container joins it).
    current = interfaces;
    expect(r.reachable('172.18.0.5')).toBe(true);
    expect(reads).toBe(2);
    for (let i = 6; i < 46; i++) expect(r.reachable(`172.18.0.${i}`)).toBe(true);
    expect(reads).toBe(2);
    // An address on no network of ours: read for it once, then not again within a second.
    expect(r.reachable('10.99.0.2')).toBe(false);
    expect(r.reachable('10.99.0.2')).toBe(false);
    expect(reads).toBe(3);
    current = { ...interfaces, 'br-99': [{ address: '10.99.0.1', netmask: '255.255.0.0', family: 'IPv4' }] };
    clock = 1000;
    expect(r.reachable('10.99.0.2')).toBe(true);
    expect(reads).toBe(4);
  });

  it('reaches nothing directly on a remote engine', () => {
    expect(chooseReachability('tcp://192.0.2.10:2376', () => interfaces).reachable('172.18.0.5')).toBe(false);
  });
});

describe('listeningPorts', () => {
  it('reads LISTEN sockets of /proc/net/tcp and tcp6, and nothing else', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1',
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000000000000:115C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1759501 1 0 100 0 0 10 0',
    ].join('\n');
    expect([...listeningPorts(text)].sort()).toEqual([3306, 4444]);
  });
});

describe('engineIsLocal', () => {
  it.each([
    [undefined, true],
    ['unix:///var/run/docker.sock', true],
    ['tcp://127.0.0.1:2375', true],
    ['tcp://localhost:2375', true],
    ['tcp://192.0.2.2:2376', true],
    ['tcp://192.0.2.10:2376', false],
    ['ssh://deploy@preview.example.com', false],
    ['ssh://deploy@[::1]:22', true],
    ['tcp://[fd00:ec::9]:2375', false],
  ])('%s: %s', (host, local) => expect(engineIsLocal(host, interfaces)).toBe(local));
});

describe('engineHostName', () => {
  it('is the host of a tcp or ssh engine, and nothing for a socket', () => {
    expect(engineHostName('tcp://10.201.0.2:2375')).toBe('10.201.0.2');
    expect(engineHostName('ssh://deploy@preview.example.org')).toBe('preview.example.org');
    expect(engineHostName('tcp://[fd00::2]:2376')).toBe('fd00::2');
    expect(engineHostName('unix:///var/run/docker.sock')).toBeUndefined();
    expect(engineHostName(undefined)).toBeUndefined();
  });
});
