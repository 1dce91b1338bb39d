import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { describeReview, MAX_COMPOSE_FILE_BYTES, reviewComposeFiles } from '../../../src/compose/compose-file-check';

// The review of files compose refused: each bad fixture with the fragment its pointers must hold
// (file, line and column where there is one).

/** Everything the review finds, as the lines it adds under compose's refusal. */
function checkComposeFiles(files: string[], dir: string): void {
  const found = describeReview(reviewComposeFiles(files, dir));
  if (found) throw new Error(found);
}

const BAD = path.resolve(__dirname, '..', '..', 'fixtures', 'bad');

function problemOf(...files: string[]): string {
  return problemIn(BAD, ...files);
}

function problemIn(dir: string, ...files: string[]): string {
  try {
    checkComposeFiles(files, dir);
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

describe('reviewComposeFiles', () => {
  it('never refuses a key it does not know: a hint with did-you-mean, for compose to decide', () => {
    const dir = tempDir('ect-check-');
    fs.writeFileSync(path.join(dir, 'c.yml'), 'services:\n  web:\n    image: x\n    use_gpu_soon: true\n    restrat: always\nmodels2: {}\n');
    const review = reviewComposeFiles(['c.yml'], dir);
    expect(review.problems).toEqual([]);
    expect(review.unknownKeys).toEqual([
      "c.yml:4:5: unknown key 'use_gpu_soon' in service 'web'",
      "c.yml:5:5: unknown key 'restrat' in service 'web' (did you mean 'restart'?)",
      "c.yml:6:1: unknown top-level key 'models2' (did you mean 'models'?)",
    ]);
    expect(describeReview(review)).toContain("restrat' in service 'web' (did you mean 'restart'?) (compose's schema decides whether it exists)");
  });

  it.each([
    ['invalid-yaml.yml', 'invalid-yaml.yml:4:1: All mapping items must start at the same column'],
    ['not-a-mapping.yml', "not-a-mapping.yml:1:1: the file must be a mapping with a 'services' key"],
    ['no-services.yml', "no-services.yml: no 'services' defined"],
    ['service-not-mapping.yml', "service-not-mapping.yml:2:3: service 'web' must be a mapping"],
    ['unknown-top-level.yml', "unknown-top-level.yml:4:1: unknown top-level key 'service' (did you mean 'services'?)"],
    ['unknown-service-key.yml', "unknown-service-key.yml:4:5: unknown key 'depend_on' in service 'web' (did you mean 'depends_on'?)"],
    ['merge-unknown.yml', "merge-unknown.yml:4:3: unknown key 'restrat' in service 'one' (did you mean 'restart'?)"],
    ['duplicate-key.yml', "duplicate-key.yml:4:3: duplicate key 'web'"],
    ['bad-port.yml', "bad-port.yml:4:13: service 'web': bad container port 'abc' in port '80:abc'"],
    ['bad-names.yml', "bad-names.yml:5:3: service name 'web app' may hold only"],
    ['empty.yml', 'empty.yml: is empty'],
  ])('%s', (file, fragment) => {
    expect(problemOf(file)).toContain(fragment);
  });

  it('names a value of the wrong shape at its line', () => {
    const message = problemOf('wrong-shapes.yml');
    expect(message).toContain("wrong-shapes.yml:4:5: 'ports' in service 'web' must be a list, not a single value");
    expect(message).toContain("wrong-shapes.yml:5:5: 'environment' in service 'web' must be a list or a mapping, not a single value");
    expect(message).toContain("wrong-shapes.yml:6:5: 'healthcheck' in service 'web' must be a mapping, not a list");
    expect(message).toContain("wrong-shapes.yml:7:5: 'depends_on' in service 'web' must be a list or a mapping");
    expect(message).toContain("wrong-shapes.yml:9:5: 'image' in service 'db' must be a single value, not a list");
  });

  it('lists every problem at once', () => {
    const message = problemOf('bad-names.yml');
    expect(message).toContain("bad-names.yml:4:5: unknown key 'bad key' in service 'web'");
    expect(message).toContain("service name 'web app'");
  });

  it('accepts anchors, merge keys, interpolated ports and an override file without services', () => {
    expect(problemOf('anchors.yml')).toBe('');
    expect(problemOf('ok.yml', 'no-services.yml')).toBe('');
    const dir = tempDir('ect-check-');
    fs.writeFileSync(path.join(dir, 'c.yml'), 'services:\n  web:\n    image: x\n    ports: ["${PORT:-8080}:80", 9000, {target: 80}]\n');
    expect(() => checkComposeFiles(['c.yml'], dir)).not.toThrow();
  });

  it('accepts the example compose files and every test fixture that is meant to work', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    const good = ['examples/data-pipeline/compose.yaml', 'examples/data-pipeline/offline/compose.yaml', 'bench/compose.yaml', 'bench/teardown.yaml', 'bench/slowcheck.yaml'];
    for (const dir of fs.readdirSync(path.join(root, '__tests__', 'fixtures'))) {
      if (fs.existsSync(path.join(root, '__tests__', 'fixtures', dir, 'compose.yaml'))) good.push(`__tests__/fixtures/${dir}/compose.yaml`);
    }
    expect(good.length).toBeGreaterThan(10);
    for (const f of good) expect([f, problemIn(root, f)]).toEqual([f, '']);
  });

  it('accepts what compose accepts: merge tags, names starting with _ or ., several documents, empty and service-less overrides, pre_start', () => {
    const valid = path.resolve(__dirname, '..', '..', 'fixtures', 'valid-input');
    expect(problemIn(valid, 'compose.yaml')).toBe('');
    expect(problemIn(valid, 'compose.yaml', 'reset.yaml')).toBe('');
    expect(problemIn(valid, 'compose.yaml', 'comments-only.yaml')).toBe('');
    expect(problemIn(valid, 'compose.yaml', 'networks-only.yaml')).toBe('');
    expect(problemIn(valid, 'multi-document.yaml')).toBe('');
    expect(problemIn(valid, 'compose.yaml', 'pre-start.yaml')).toBe('');
    // Alone, a file with nothing in it is still a mistake.
    expect(problemIn(valid, 'comments-only.yaml')).toContain('comments-only.yaml: is empty');
    expect(problemIn(valid, 'networks-only.yaml')).toContain("no 'services' defined");
  });

  it('still checks what an !override or a later document says', () => {
    const dir = tempDir('ect-check-');
    fs.writeFileSync(path.join(dir, 'o.yml'), 'services:\n  web:\n    ports: !override "80:80"\n');
    expect(problemIn(dir, 'o.yml')).toContain("o.yml:3:5: 'ports' in service 'web' must be a list, not a single value");
    fs.writeFileSync(path.join(dir, 'm.yml'), 'services:\n  a: {image: x}\n---\nservices:\n  b:\n    imag: x\n');
    expect(problemIn(dir, 'm.yml')).toContain("m.yml:6:5: unknown key 'imag' in service 'b'");
  });

  it('refuses directories, huge files and unreadable files, naming them', () => {
    const dir = tempDir('ect-check-');
    fs.mkdirSync(path.join(dir, 'compose.yml'));
    expect(() => checkComposeFiles(['compose.yml'], dir)).toThrow('compose.yml: is a directory, not a compose file');
    fs.writeFileSync(path.join(dir, 'big.yml'), Buffer.alloc(MAX_COMPOSE_FILE_BYTES + 1, 0x20));
    expect(() => checkComposeFiles(['big.yml'], dir)).toThrow(/big\.yml: is 2\.0 MB, more than the 2 MB this review reads/);
    fs.writeFileSync(path.join(dir, 'secret.yml'), 'services: {}\n', { mode: 0o000 });
    // Root reads any file, so the refusal a runner user would get is simulated.
    // The module object itself: spying through a namespace import would not reach src/'s copy.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const read = jest.spyOn(require('fs') as typeof fs, 'readFileSync').mockImplementation(() => {
      throw Object.assign(new Error('permission denied'), { code: 'EACCES' });
    });
    try {
      expect(() => checkComposeFiles(['secret.yml'], dir)).toThrow('secret.yml: cannot be read (EACCES)');
    } finally {
      read.mockRestore();
    }
  });
});
