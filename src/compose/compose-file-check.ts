import * as fs from 'fs';
import * as path from 'path';
import type * as Yaml from 'yaml';
import { SERVICE_KEY_SHAPES, SERVICE_KEYS, Shape, SHAPE_WORDS, TOP_LEVEL_KEYS } from './compose-keys';
import { parsePortEntry } from './port-spec';
import { errorText } from './error-text';

// Reads the compose files again once compose has refused them, to point at each mistake's file, line
// and column (compose often names only a key path, or nothing). Compose's own validation decides
// what is valid: this review never refuses a file, so a key newer than its list is only a hint.

export const MAX_COMPOSE_FILE_BYTES = 2 * 1024 * 1024;

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function suggestion(key: string, known: string[]): string {
  const best = known.map((k) => [k, editDistance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean '${best[0]}'?)` : '';
}

/** Reads a file, refusing what is not a small regular readable file. */
function readComposeFile(file: string, workingDirectory: string): string {
  const abs = path.resolve(workingDirectory, file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new Error(`${file}: no such file`);
  }
  if (stat.isDirectory()) throw new Error(`${file}: is a directory, not a compose file`);
  if (stat.size > MAX_COMPOSE_FILE_BYTES) {
    throw new Error(`${file}: is ${(stat.size / 1024 / 1024).toFixed(1)} MB, more than the ${MAX_COMPOSE_FILE_BYTES / 1024 / 1024} MB this review reads (is it the right file?)`);
  }
  try {
    return fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? errorText(e)})`);
  }
}

interface TextCheck {
  problems: string[];
  unknownKeys: string[];
  hasServices: boolean;
  /** Empty or comments only: nothing to check, and nothing it brings. */
  empty: boolean;
}

/**
 * Problems of one file's text, each located as `file:line:column`. A file may hold several YAML
 * documents (`---`), which Compose v2 merges in order. An override file may leave out `services`,
 * or be empty; `checkComposeFiles` judges what the files make together.
 */
function checkComposeText(file: string, text: string): TextCheck {
  // Loaded here, not at import: modules shared with the post step must not cost it the parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yaml = require('yaml') as typeof Yaml;
  const lineCounter = new yaml.LineCounter();
  const docs = yaml.parseAllDocuments(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  // parseAllDocuments gives an empty collection for a stream with no document at all.
  const documents = Array.isArray(docs) ? docs : [];
  const result: TextCheck = { problems: [], unknownKeys: [], hasServices: false, empty: true };
  for (const doc of documents) {
    const problems = doc.errors.map((e) =>
      e.code === 'DUPLICATE_KEY'
        ? `${at(e.pos[0])}: duplicate key '${/^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0].trim()}'`
        : `${at(e.pos[0])}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '')}`,
    );
    if (problems.length > 0) {
      result.problems.push(...problems);
      result.empty = false;
      continue;
    }
    if (doc.contents === null || (yaml.isScalar(doc.contents) && doc.contents.value === null)) continue;
    result.empty = false;
    const one = checkDocument(yaml, doc, at);
    result.problems.push(...one.problems);
    result.unknownKeys.push(...one.unknownKeys);
    result.hasServices ||= one.hasServices;
  }
  return result;
}

/** Merge tags of the Compose Specification, for override files: `ports: !reset []`, `!override`. */
const RESET_TAG = '!reset';

function checkDocument(
  yaml: typeof Yaml,
  doc: Yaml.Document.Parsed,
  at: (offset: number | undefined) => string,
): { problems: string[]; unknownKeys: string[]; hasServices: boolean } {
  const problems: string[] = [];
  const unknownKeys: string[] = [];
  const top = doc.contents;
  if (!yaml.isMap(top)) return { problems: [`${at(top?.range?.[0])}: the file must be a mapping with a 'services' key`], unknownKeys: [], hasServices: false };
  /** `!reset` removes what an earlier file set: its value has no shape to check. */
  const isReset = (node: unknown) => yaml.isNode(node) && node.tag === RESET_TAG;
  const resolve = (node: unknown): unknown => (yaml.isAlias(node) ? node.resolve(doc) : node);
  // With merge keys on, `<<` is a scalar whose value is a symbol.
  const keyName = (key: unknown): string => {
    if (!yaml.isScalar(key)) return String(key);
    return typeof key.value === 'symbol' ? '<<' : String(key.value);
  };
  const keyAt = (key: unknown) => at(yaml.isNode(key) ? key.range?.[0] : undefined);
  /** The service's own settings and those merged in with `<<`, each with where it is written. */
  const serviceSettings = (body: Yaml.YAMLMap, seen = new Set<unknown>()): Yaml.Pair[] => {
    if (seen.has(body)) return [];
    seen.add(body);
    const pairs: Yaml.Pair[] = [];
    for (const item of body.items) {
      if (keyName(item.key) !== '<<') {
        pairs.push(item);
        continue;
      }
      const merged = resolve(item.value);
      const sources = yaml.isSeq(merged) ? merged.items.map(resolve) : [merged];
      for (const source of sources) if (yaml.isMap(source)) pairs.push(...serviceSettings(source, seen));
    }
    return pairs;
  };
  /** Short-form ports that cannot be right whatever the variables say. */
  const portProblems = (ports: unknown, service: string): string[] => {
    if (!yaml.isSeq(ports)) return [];
    const found: string[] = [];
    for (const node of ports.items) {
      const entry = resolve(node);
      if (!yaml.isScalar(entry) || String(entry.value).includes('$')) continue; // interpolated later
      if (typeof entry.value !== 'string' && typeof entry.value !== 'number') continue;
      try {
        parsePortEntry(entry.value);
      } catch (e) {
        found.push(`${at(entry.range?.[0])}: service '${service}': ${errorText(e)}`);
      }
    }
    return found;
  };
  let hasServices = false;
  for (const pair of top.items) {
    const key = keyName(pair.key);
    if (key.startsWith('x-') || key === '<<') continue;
    if (!TOP_LEVEL_KEYS.includes(key)) {
      unknownKeys.push(`${keyAt(pair.key)}: unknown top-level key '${key}'${suggestion(key, TOP_LEVEL_KEYS)}`);
      continue;
    }
    if (key === 'include') hasServices = true; // included files may bring them
    if (key !== 'services') continue;
    hasServices = true;
    const services = resolve(pair.value);
    if (!yaml.isMap(services)) {
      problems.push(`${keyAt(pair.key)}: 'services' must be a mapping of service names to their settings`);
      continue;
    }
    for (const svc of services.items) {
      const name = keyName(svc.key);
      const nameAt = keyAt(svc.key);
      if (name === '<<') continue;
      // The specification's pattern for service names.
      if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
        problems.push(`${nameAt}: service name '${name}' may hold only letters, digits, '.', '_' and '-'`);
      }
      if (isReset(svc.value)) continue;
      const body = resolve(svc.value);
      if (!yaml.isMap(body)) {
        problems.push(`${nameAt}: service '${name}' must be a mapping of settings (image, build, ports, ...)`);
        continue;
      }
      for (const item of serviceSettings(body)) {
        const k = keyName(item.key);
        if (isReset(item.value) && (k.startsWith('x-') || SERVICE_KEYS.includes(k))) continue;
        const value = resolve(item.value);
        const shapes = SERVICE_KEY_SHAPES[k];
        const shape: Shape | undefined = yaml.isMap(value) ? 'mapping' : yaml.isSeq(value) ? 'list' : yaml.isScalar(value) && value.value !== null ? 'scalar' : undefined;
        if (shapes && shape && !shapes.includes(shape)) {
          problems.push(`${keyAt(item.key)}: '${k}' in service '${name}' must be ${shapes.map((x) => SHAPE_WORDS[x]).join(' or ')}, not ${SHAPE_WORDS[shape]}`);
          continue;
        }
        if (k === 'ports') problems.push(...portProblems(value, name));
        if (k.startsWith('x-') || SERVICE_KEYS.includes(k)) continue;
        unknownKeys.push(`${keyAt(item.key)}: unknown key '${k}' in service '${name}'${suggestion(k, SERVICE_KEYS)}`);
      }
    }
  }
  return { problems, unknownKeys, hasServices };
}

export interface FileReview {
  /** Mistakes, each as `file:line:column: what`. */
  problems: string[];
  /** Keys not in this action's copy of the specification's lists, with a did-you-mean: hints only. */
  unknownKeys: string[];
}

/** Every problem of every file, located; nothing is thrown. */
export function reviewComposeFiles(files: string[], workingDirectory: string): FileReview {
  const review: FileReview = { problems: [], unknownKeys: [] };
  let anyServices = false;
  for (const file of files) {
    let text: string;
    try {
      text = readComposeFile(file, workingDirectory);
    } catch (e) {
      review.problems.push(errorText(e));
      continue;
    }
    const result = checkComposeText(file, text);
    review.problems.push(...result.problems);
    review.unknownKeys.push(...result.unknownKeys);
    anyServices ||= result.hasServices;
    // Alone, an empty file is a mistake; as an override among others it is harmless.
    if (result.empty && files.length === 1) review.problems.push(`${file}: is empty`);
  }
  if (files.length > 0 && review.problems.length === 0 && !anyServices) review.problems.push(`${files.join(', ')}: no 'services' defined`);
  return review;
}

/** The review as lines to add under compose's own refusal ('' when it found nothing). */
export function describeReview(review: FileReview): string {
  const lines = [...review.problems, ...review.unknownKeys.map((k) => `${k} (compose's schema decides whether it exists)`)];
  return lines.map((l) => `\n  ${l}`).join('');
}
