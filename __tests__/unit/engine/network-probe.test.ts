import * as http from 'http';
import * as net from 'net';
import { nodeNetworkProbe } from '../../../src/engine/network-probe';

// The runner-side probes against servers this test starts on loopback.

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

describe('nodeNetworkProbe', () => {
  it('passes a port that accepts and says why one does not', async () => {
    const server = net.createServer((s) => s.end());
    const port = await listen(server);
    expect(await nodeNetworkProbe.tcp('127.0.0.1', port, 1000)).toBeUndefined();
    server.close();
    await new Promise((r) => server.once('close', r));
    expect(await nodeNetworkProbe.tcp('127.0.0.1', port, 1000)).toBe(`ECONNREFUSED at 127.0.0.1:${port}`);
  });

  it('tells a listener from a proxy that accepts and drops', async () => {
    const proxy = net.createServer((s) => s.destroy());
    const listener = net.createServer(() => undefined);
    const talker = net.createServer((s) => s.end('220 ready\r\n'));
    const [p, l, t] = [await listen(proxy), await listen(listener), await listen(talker)];
    try {
      expect(await nodeNetworkProbe.tcpHeld('127.0.0.1', p, 300, 1000)).toBe(`127.0.0.1:${p} accepted and dropped the connection (a proxy with nothing listening behind it)`);
      const started = Date.now();
      expect(await nodeNetworkProbe.tcpHeld('127.0.0.1', l, 300, 1000)).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // A server that speaks first passes at once.
      expect(await nodeNetworkProbe.tcpHeld('127.0.0.1', t, 5000, 1000)).toBeUndefined();
    } finally {
      [proxy, listener, talker].forEach((s) => s.close());
    }
  });

  it('judges HTTP by status: 2xx/3xx, or exactly the one asked for', async () => {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/teapot' ? 418 : req.url === '/moved' ? 302 : 200;
      res.end();
    });
    const port = await listen(server);
    const base = `http://127.0.0.1:${port}`;
    try {
      expect(await nodeNetworkProbe.http(`${base}/`, undefined, 1000)).toBeUndefined();
      expect(await nodeNetworkProbe.http(`${base}/moved`, undefined, 1000)).toBeUndefined();
      expect(await nodeNetworkProbe.http(`${base}/teapot`, undefined, 1000)).toBe(`${base}/teapot answered 418`);
      expect(await nodeNetworkProbe.http(`${base}/teapot`, 418, 1000)).toBeUndefined();
    } finally {
      server.close();
    }
  });

  it('gives up on a server that never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    const port = await listen(server);
    try {
      expect(await nodeNetworkProbe.http(`http://127.0.0.1:${port}/`, undefined, 200)).toMatch(/no answer within 200 ms|ECONNRESET/);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });
});
