import { tempDir } from '../../helpers/temp-dirs';
import * as fs from 'fs';
import * as path from 'path';
import { CappedLogFile } from '../../../src/outputs/capped-log';

// A container's log file in the artifact: whole while it is small, first and last part with a
// marker between once it is not, secrets hidden in every form.

const file = () => path.join(tempDir('ec-capped-'), 'x.log');

describe('capped log file', () => {
  it('keeps a small log whole, secrets hidden raw and URL-encoded', () => {
    const f = new CappedLogFile(file(), ['p@ss word'], { headBytes: 1000, tailBytes: 1000 });
    f.line('connecting with p@ss word');
    f.line('url mysql://u:p%40ss%20word@db/x');
    const bytes = f.close();
    expect(fs.readFileSync(f.file, 'utf8')).toBe('connecting with ***\nurl mysql://u:***@db/x\n');
    expect(bytes).toBe(Buffer.byteLength('connecting with ***\nurl mysql://u:***@db/x\n'));
  });

  it('keeps the first and the last bytes of a long log, and says what it cut', () => {
    const f = new CappedLogFile(file(), [], { headBytes: 30, tailBytes: 30 });
    for (let i = 0; i < 100; i++) f.line(`line ${String(i).padStart(3, '0')}`);
    f.close();
    const lines = fs.readFileSync(f.file, 'utf8').trimEnd().split('\n');
    // 9 bytes a line: three fit in each end.
    expect(lines.slice(0, 3)).toEqual(['line 000', 'line 001', 'line 002']);
    expect(lines[3]).toBe('[ephemeral-compose: 94 line(s), 846 byte(s) cut here; the file keeps the first 30 and the last 30 bytes]');
    expect(lines.slice(4)).toEqual(['line 097', 'line 098', 'line 099']);
  });

  it('keeps exactly the whole lines that fit at the end, whatever their lengths and wherever the ring wraps', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const caps = { headBytes: 50 + Math.floor(random() * 100), tailBytes: 50 + Math.floor(random() * 200) };
      const lines = Array.from({ length: 40 + Math.floor(random() * 200) }, (_, i) => `${i}:${'x'.repeat(Math.floor(random() * 60))}é`);
      const f = new CappedLogFile(file(), [], caps);
      lines.forEach((l) => f.line(l));
      f.close();
      const size = (l: string) => Buffer.byteLength(l) + 1;
      let head = 0;
      let used = 0;
      while (head < lines.length && used + size(lines[head]) <= caps.headBytes) used += size(lines[head++]);
      let tail = lines.length;
      used = 0;
      while (tail > head && used + size(lines[tail - 1]) <= caps.tailBytes) used += size(lines[--tail]);
      const cut = lines.slice(head, tail);
      const marker = cut.length
        ? [
            `[ephemeral-compose: ${cut.length} line(s), ${cut.reduce((n, l) => n + size(l), 0)} byte(s) cut here; the file keeps the first ${caps.headBytes} and the last ${caps.tailBytes} bytes]`,
          ]
        : [];
      expect(fs.readFileSync(f.file, 'utf8')).toBe([...lines.slice(0, head), ...marker, ...lines.slice(tail)].map((l) => `${l}\n`).join(''));
    }
  });
});
