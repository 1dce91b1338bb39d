import * as net from 'net';
import * as http from 'http';
import * as https from 'https';

// Network checks made from the runner. Each answers with undefined when the check passed, or the
// reason it did not (kept for the timeout message).

export interface NetworkProbe {
  tcp(host: string, port: number, timeoutMs: number): Promise<string | undefined>;
  /**
   * A connect that Docker's userland proxy cannot fake: the proxy accepts on a published port even
   * when nothing listens behind it, then drops the connection at once. Passes when the server
   * speaks first, or when the connection stays open and unreset for `holdMs`.
   */
  tcpHeld(host: string, port: number, holdMs: number, timeoutMs: number): Promise<string | undefined>;
  http(url: string, expectStatus: number | undefined, timeoutMs: number): Promise<string | undefined>;
}

export const nodeNetworkProbe: NetworkProbe = {
  tcp(host, port, timeoutMs) {
    return new Promise((resolve) => {
      const socket = net.connect({ host, port });
      const done = (why: string | undefined) => {
        socket.destroy();
        resolve(why);
      };
      socket.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
      socket.once('connect', () => done(undefined));
      socket.once('error', (e: NodeJS.ErrnoException) => done(`${e.code ?? e.message} at ${host}:${port}`));
    });
  },

  tcpHeld(host, port, holdMs, timeoutMs) {
    return new Promise((resolve) => {
      const socket = net.connect({ host, port });
      let hold: NodeJS.Timeout | undefined;
      const done = (why: string | undefined) => {
        clearTimeout(hold);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.destroy();
        resolve(why);
      };
      socket.setTimeout(timeoutMs, () => done(`no answer from ${host}:${port} within ${timeoutMs} ms`));
      socket.once('connect', () => {
        socket.setTimeout(0);
        hold = setTimeout(() => done(undefined), holdMs);
      });
      socket.once('data', () => done(undefined));
      const dropped = () => done(`${host}:${port} accepted and dropped the connection (a proxy with nothing listening behind it)`);
      socket.once('end', dropped);
      socket.once('close', dropped);
      socket.once('error', (e: NodeJS.ErrnoException) => done(`${e.code ?? e.message} at ${host}:${port}`));
    });
  },

  http(url, expectStatus, timeoutMs) {
    return new Promise((resolve) => {
      const client = url.startsWith('https:') ? https : http;
      // Test stacks serve self-signed certificates; the probe asks "does it answer", not "is it trusted".
      const req = client.get(url, { timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        const ok = expectStatus !== undefined ? status === expectStatus : status >= 200 && status < 400;
        resolve(ok ? undefined : `${url} answered ${status}`);
      });
      req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.once('error', (e: NodeJS.ErrnoException) => resolve(`${url}: ${e.code ?? e.message}`));
    });
  },
};
