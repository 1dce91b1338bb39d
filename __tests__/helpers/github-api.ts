import * as http from 'http';
import { AddressInfo } from 'net';

// The few REST endpoints the action uses, served on 127.0.0.1 for GITHUB_API_URL: list an issue's
// comments, create one, edit one (the preview comment); read a pull request (sweep). Requests
// without the expected token are refused; a pull request the test did not set is not found.

export interface StoredComment {
  id: number;
  issue: number;
  body: string;
}

export interface FakeGitHub {
  url: string;
  token: string;
  comments: StoredComment[];
  /** "METHOD path" of every request, in order. */
  requests: string[];
  commentsOn(issue: number): StoredComment[];
  /** Pull requests by number: what GET /repos/{repo}/pulls/{n} answers. */
  pulls: Map<number, 'open' | 'closed' | 'merged'>;
  close(): Promise<void>;
}

export async function startFakeGitHub(repository: string, token = 'ghs_fake_token_for_tests'): Promise<FakeGitHub> {
  const comments: StoredComment[] = [];
  const requests: string[] = [];
  const pulls = new Map<number, 'open' | 'closed' | 'merged'>();
  let nextId = 1000;
  const base = `/repos/${repository}/issues`;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(`${req.method} ${url.pathname}`);
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== `token ${token}` && req.headers.authorization !== `Bearer ${token}`) return send(401, { message: 'Bad credentials' });
      const list = new RegExp(`^${base}/(\\d+)/comments$`).exec(url.pathname);
      const one = new RegExp(`^${base}/comments/(\\d+)$`).exec(url.pathname);
      const pull = new RegExp(`^/repos/${repository}/pulls/(\\d+)$`).exec(url.pathname);
      if (pull && req.method === 'GET') {
        const state = pulls.get(Number(pull[1]));
        if (!state) return send(404, { message: 'Not Found' });
        return send(200, { number: Number(pull[1]), state: state === 'open' ? 'open' : 'closed', merged: state === 'merged' });
      }
      if (list && req.method === 'GET')
        return send(
          200,
          comments.filter((c) => c.issue === Number(list[1])).map((c) => ({ id: c.id, body: c.body })),
        );
      if (list && req.method === 'POST') {
        const c = { id: nextId++, issue: Number(list[1]), body: (JSON.parse(body) as { body: string }).body };
        comments.push(c);
        return send(201, { id: c.id, body: c.body });
      }
      if (one && req.method === 'PATCH') {
        const c = comments.find((x) => x.id === Number(one[1]));
        if (!c) return send(404, { message: 'Not Found' });
        c.body = (JSON.parse(body) as { body: string }).body;
        return send(200, { id: c.id, body: c.body });
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    comments,
    requests,
    commentsOn: (issue) => comments.filter((c) => c.issue === issue),
    pulls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
