import { parsePortEntry, parseShortPort } from '../../../src/compose/port-spec';

describe('ports', () => {
  it.each([
    ['3306', [{ target: 3306, protocol: 'tcp' }]],
    ['8080:80', [{ target: 80, published: 8080, protocol: 'tcp' }]],
    [
      '127.0.0.1:8000-8001:80-81/udp',
      [
        { target: 80, published: 8000, hostIp: '127.0.0.1', protocol: 'udp' },
        { target: 81, published: 8001, hostIp: '127.0.0.1', protocol: 'udp' },
      ],
    ],
    ['[::1]:5432:5432', [{ target: 5432, published: 5432, hostIp: '::1', protocol: 'tcp' }]],
    ['9000-9010:80', [{ target: 80, protocol: 'tcp', fromRange: true }]],
  ])('%s', (entry, specs) => expect(parseShortPort(entry)).toEqual(specs));

  it('reads the long form, published as a string (v2) or a number (v1)', () => {
    expect(parsePortEntry({ target: 80, published: '8080', protocol: 'tcp', mode: 'ingress', host_ip: '0.0.0.0' })).toEqual([
      { target: 80, published: 8080, protocol: 'tcp', hostIp: '0.0.0.0' },
    ]);
    expect(parsePortEntry({ target: 80, published: '9000-9010' })).toEqual([{ target: 80, protocol: 'tcp', fromRange: true }]);
    expect(parsePortEntry({ target: 3306, published: 3306 })).toEqual([{ target: 3306, published: 3306, protocol: 'tcp' }]);
  });

  it('rejects bad ports', () => {
    expect(() => parseShortPort('80:abc')).toThrow("bad container port 'abc'");
    expect(() => parseShortPort('1:2:3:4')).toThrow('bad port');
    expect(() => parseShortPort('80/foo')).toThrow("bad protocol 'foo'");
    expect(() => parseShortPort('8000-8002:80-81')).toThrow('ranges differ');
  });
});
