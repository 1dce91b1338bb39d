'use strict';
// A stand-in for GitHub's cache service as buildx's `gha` cache backend speaks to it when the
// runner gives ACTIONS_CACHE_URL (the service's first protocol, `_apis/artifactcache`): look up
// entries by key and version, reserve one, upload it in ranges, commit it, download it (in ranges
// too). Entries live in memory. Every request is appended to the log file given, one JSON line
// each ({method, url, authorization}), so a test sees what the builder asked and with which token.
//
//   node harness/gha-cache-fake.js <host> <port> <log file>
// It runs in the network namespace of the engine whose builder talks to it.

const http = require('http');
const fs = require('fs');

const [host, port, logFile] = process.argv.slice(2);
const entries = new Map(); // id -> { key, version, chunks: [{ start, data }], data?: Buffer }
let nextId = 1;

function json(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

http
  .createServer((req, res) => {
    const parts = [];
    req.on('data', (d) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      fs.appendFileSync(logFile, JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? '' }) + '\n');
      const url = new URL(req.url, `http://${req.headers.host}`);
      const p = url.pathname;
      if (req.method === 'GET' && p === '/_apis/artifactcache/cache') {
        const version = url.searchParams.get('version');
        // Keys in the order given; the first one found wins (exact, then as a prefix), as the service does.
        for (const key of (url.searchParams.get('keys') ?? '').split(',')) {
          const hit = [...entries.entries()].reverse().find(([, e]) => e.data && e.version === version && (e.key === key || e.key.startsWith(key)));
          if (hit) return json(res, 200, { cacheKey: hit[1].key, scope: 'refs/heads/main', archiveLocation: `http://${req.headers.host}/blob/${hit[0]}` });
        }
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'POST' && p === '/_apis/artifactcache/caches') {
        const { key, version } = JSON.parse(body.toString('utf8'));
        if ([...entries.values()].some((e) => e.key === key && e.version === version))
          return json(res, 409, { message: `Cache already exists. Scope: refs/heads/main, Key: ${key}, Version: ${version}` });
        const id = nextId++;
        entries.set(id, { key, version, chunks: [] });
        return json(res, 201, { cacheId: id });
      }
      const m = /^\/_apis\/artifactcache\/caches\/(\d+)$/.exec(p);
      if (m && entries.has(Number(m[1]))) {
        const entry = entries.get(Number(m[1]));
        if (req.method === 'PATCH') {
          const start = Number(/bytes (\d+)-/.exec(req.headers['content-range'] ?? '')?.[1] ?? 0);
          entry.chunks.push({ start, data: body });
          res.writeHead(204);
          return res.end();
        }
        if (req.method === 'POST') {
          const { size } = JSON.parse(body.toString('utf8'));
          const data = Buffer.alloc(size);
          for (const c of entry.chunks) c.data.copy(data, c.start);
          entry.data = data;
          entry.chunks = [];
          res.writeHead(204);
          return res.end();
        }
      }
      const b = /^\/blob\/(\d+)$/.exec(p);
      if (req.method === 'GET' && b && entries.get(Number(b[1]))?.data) {
        const data = entries.get(Number(b[1])).data;
        const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
        if (!range) {
          res.writeHead(200, { 'Content-Length': data.length });
          return res.end(data);
        }
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
        res.writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${data.length}` });
        return res.end(data.subarray(start, end + 1));
      }
      json(res, 404, { message: `no such thing: ${req.method} ${p}` });
    });
  })
  .listen(Number(port), host);
