import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

// GitHub's artifact service as @actions/artifact talks to it, on 127.0.0.1: the results service's
// Twirp calls (CreateArtifact, FinalizeArtifact) and the signed blob URL it hands out, which takes
// an Azure block-blob upload (Put Block, then Put Block List). What the step needs in its
// environment comes from `env`.

export interface UploadedArtifact {
  name: string;
  /** The zip as uploaded. */
  zip: Buffer;
  finalized: boolean;
  /** The size and hash FinalizeArtifact reported. */
  size?: string;
  hash?: string;
}

export interface FakeArtifactService {
  /** ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL for the step. */
  env: Record<string, string>;
  artifacts: UploadedArtifact[];
  /** The archive's files: name → content, read with Python's zipfile. */
  files(artifact: UploadedArtifact): Record<string, string>;
  close(): Promise<void>;
}

const SERVICE = '/twirp/github.actions.results.api.v1.ArtifactService/';

/** An unsigned JWT with the scope the client reads its run and job ids from. */
function runtimeToken(): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp: 'Actions.GenericRead Actions.Results:run-backend-1:job-backend-1' })}.`;
}

export async function startFakeArtifactService(): Promise<FakeArtifactService> {
  const artifacts: UploadedArtifact[] = [];
  const blocks = new Map<string, Buffer>();
  let nextId = 5000;
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST' && url.pathname === `${SERVICE}CreateArtifact`) {
        const { name } = JSON.parse(body.toString()) as { name: string };
        artifacts.push({ name, zip: Buffer.alloc(0), finalized: false });
        // Path style, as the Azure client expects of an address: /<account>/<container>/<blob>.
        return json(200, { ok: true, signedUploadUrl: `${base}/devstoreaccount1/artifacts/${encodeURIComponent(name)}.zip?sig=fake` });
      }
      if (req.method === 'POST' && url.pathname === `${SERVICE}FinalizeArtifact`) {
        const { name, size, hash } = JSON.parse(body.toString()) as { name: string; size: string; hash?: { value: string } | string };
        const a = artifacts.find((x) => x.name === name);
        if (!a) return json(404, { code: 'not_found', msg: 'no such artifact' });
        Object.assign(a, { finalized: true, size, hash: typeof hash === 'string' ? hash : hash?.value });
        return json(200, { ok: true, artifactId: String(nextId++) });
      }
      const blob = /^\/devstoreaccount1\/artifacts\/(.+)\.zip$/.exec(url.pathname);
      if (req.method === 'PUT' && blob) {
        const name = decodeURIComponent(blob[1]);
        const headers = { 'x-ms-request-id': 'fake', 'x-ms-version': '2023-11-03', etag: '"0x1"', 'last-modified': new Date().toUTCString() };
        const comp = url.searchParams.get('comp');
        if (comp === 'block') {
          blocks.set(`${name}/${url.searchParams.get('blockid')}`, body);
          res.writeHead(201, headers);
          return res.end();
        }
        const a = artifacts.find((x) => x.name === name);
        if (comp === 'blocklist' && a) {
          const ids = [...body.toString().matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((m) => m[1]);
          a.zip = Buffer.concat(ids.map((id) => blocks.get(`${name}/${id}`) ?? Buffer.alloc(0)));
          res.writeHead(201, headers);
          return res.end();
        }
        if (!comp && a) {
          // A small upload comes in one Put Blob.
          a.zip = body;
          res.writeHead(201, headers);
          return res.end();
        }
      }
      json(404, { code: 'not_found', msg: `${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: { ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_RESULTS_URL: `${base}/` },
    artifacts,
    files(artifact) {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-artifact-')), 'a.zip');
      fs.writeFileSync(file, artifact.zip);
      const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nprint(json.dumps({n: z.read(n).decode("utf-8","replace") for n in z.namelist()}))';
      try {
        return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as Record<string, string>;
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
