import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The action runs dist/, not src/: a dist/ that was not rebuilt after a change ships old code.
const root = path.resolve(__dirname, '..', '..');

test('dist/ is what `npm run build` makes from src/', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ec-dist-'));
  for (const entry of ['main', 'post']) {
    execFileSync(process.execPath, [require.resolve('@vercel/ncc/dist/ncc/cli.js'), 'build', `src/entry-${entry}.ts`, '-o', path.join(out, entry), '--target', 'es2022', '--no-source-map-register', '--license', 'licenses.txt', '--quiet'], { cwd: root, stdio: 'pipe' });
    const built = fs.readFileSync(path.join(out, entry, 'index.js'), 'utf8');
    const committed = fs.readFileSync(path.join(root, 'dist', entry, 'index.js'), 'utf8');
    if (committed !== built) throw new Error(`dist/${entry}/index.js is stale: run 'npm run build' and commit dist/.`);
  }
  fs.rmSync(out, { recursive: true, force: true });
}, 120000);
