import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CappedLogFile } from '../../../src/outputs/capped-log';

// A container's log file in the artifact: whole while it is small, first and last part with a
// marker between once it is not, secrets hidden in every form.

const file = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-capped-')), 'x.log');

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
});
