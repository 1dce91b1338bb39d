import * as fs from 'fs';
import * as path from 'path';

// The house rules for src/, checked on the source itself: the rooms import only downwards, the
// Actions toolkit only in action/, and no module imports itself through others.

const SRC = path.resolve(__dirname, '..', '..', 'src');
/** Lower rooms first: a module may import from its own room or one listed before it. */
const ROOMS = ['compose', 'secrets', 'engine', 'plan', 'readiness', 'outputs', 'lifecycle', 'previews', 'action'];

function modules(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        out[path.relative(SRC, full)] = [...text.matchAll(/^import [^;]*? from '([^']+)';/gm)].map((m) => m[1]);
      }
    }
  };
  walk(SRC);
  return out;
}

function resolveLocal(from: string, spec: string): string {
  const base = path.join(path.dirname(from), spec);
  return fs.existsSync(path.join(SRC, `${base}.ts`)) ? `${base}.ts` : path.join(base, 'index.ts');
}

describe('the layout of src/', () => {
  const all = modules();

  it('puts every module in one of the rooms', () => {
    expect(Object.keys(all).filter((m) => !ROOMS.includes(m.split(path.sep)[0]))).toEqual([]);
  });

  it('imports only from the same room or a lower one', () => {
    const upward: string[] = [];
    for (const [from, specs] of Object.entries(all)) {
      for (const spec of specs.filter((s) => s.startsWith('.'))) {
        const to = resolveLocal(from, spec);
        if (ROOMS.indexOf(to.split(path.sep)[0]) > ROOMS.indexOf(from.split(path.sep)[0])) upward.push(`${from} -> ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('uses @actions/* only in action/', () => {
    const outside = Object.entries(all).filter(([m, specs]) => !m.startsWith(`action${path.sep}`) && specs.some((s) => s.startsWith('@actions/')));
    expect(outside.map(([m]) => m)).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state: Record<string, 'visiting' | 'done'> = {};
    const visit = (m: string, trail: string[]) => {
      if (state[m] === 'done') return;
      if (state[m] === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(m)), m].join(' -> '));
        return;
      }
      state[m] = 'visiting';
      for (const spec of (all[m] ?? []).filter((s) => s.startsWith('.'))) visit(resolveLocal(m, spec), [...trail, m]);
      state[m] = 'done';
    };
    Object.keys(all).forEach((m) => visit(m, []));
    expect(cycles).toEqual([]);
  });
});
