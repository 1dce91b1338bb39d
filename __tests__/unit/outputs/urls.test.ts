import { publishedPorts, schemeForPort } from '../../../src/outputs/urls';

describe('URLs', () => {
  it('picks a scheme by container port', () => {
    expect([80, 8080, 443, 3306, 5432, 6379, 27017, 5672, 12345].map(schemeForPort)).toEqual(['http', 'http', 'https', 'mysql', 'postgres', 'redis', 'mongodb', 'amqp', 'tcp']);
  });
  it('keeps declaration order, one entry per port, honours bind addresses, no URL for UDP', () => {
    const ports = publishedPorts(
      [
        { target: 8080, protocol: 'tcp' },
        { target: 80, protocol: 'tcp' },
      ],
      [
        { target: 80, protocol: 'tcp', hostIp: '::', hostPort: 49154 },
        { target: 80, protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 49154 },
        { target: 8080, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 49155 },
        { target: 53, protocol: 'udp', hostIp: '0.0.0.0', hostPort: 49156 },
        { target: 9000, protocol: 'tcp', hostIp: '::1', hostPort: 49157 },
      ],
      'runner.local',
    );
    expect(ports).toEqual([
      { target: 8080, published: 49155, protocol: 'tcp', hostIp: '127.0.0.1', host: '127.0.0.1', url: 'http://127.0.0.1:49155' },
      { target: 80, published: 49154, protocol: 'tcp', hostIp: '0.0.0.0', host: 'runner.local', url: 'http://runner.local:49154' },
      { target: 53, published: 49156, protocol: 'udp', hostIp: '0.0.0.0', host: 'runner.local' },
      { target: 9000, published: 49157, protocol: 'tcp', hostIp: '::1', host: '::1', url: 'http://[::1]:49157' },
    ]);
  });
  it('names the IPv6 loopback for a port bound to the IPv6 wildcard alone (IPv6-only networks)', () => {
    const v6only = [{ target: 8080, protocol: 'tcp', hostIp: '::', hostPort: 32899 }];
    expect(publishedPorts([], v6only, 'localhost')[0]).toMatchObject({ host: '::1', url: 'http://[::1]:32899' });
    // A host the workflow named (or a remote engine's) is kept: it resolves as it resolves there.
    expect(publishedPorts([], v6only, 'runner.local')[0]).toMatchObject({ host: 'runner.local', url: 'http://runner.local:32899' });
  });
});
