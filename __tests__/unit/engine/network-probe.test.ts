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
