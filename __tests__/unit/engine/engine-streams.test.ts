import { demultiplexer, linesOf } from '../../../src/engine/engine-streams';

/** One frame of the engine's multiplexed stream: header (stream, 0, 0, 0, size) and payload. */
function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('the multiplexed stream', () => {
  const whole = Buffer.concat([frame(1, 'out one\nout '), frame(2, 'err ünïcode\n'), frame(1, 'two\n'), frame(2, ''), frame(2, 'x'.repeat(70000) + '\n')]);
  const expected = [
    ['stdout', 'out one'],
    ['stderr', 'err ünïcode'],
    ['stdout', 'out two'],
    ['stderr', 'x'.repeat(70000)],
  ];

  it.each([1, 3, 8, 9, 4096, whole.length])('gives each stream its own lines, whatever size the chunks come in (%i bytes)', (size) => {
    const got: string[][] = [];
    const push = demultiplexer(linesOf((line, stream) => got.push([stream, line])));
    for (let at = 0; at < whole.length; at += size) push(whole.subarray(at, at + size));
    expect(got).toEqual(expected);
  });

  it('keeps a frame whose payload has not all come yet', () => {
    const got: string[] = [];
    const push = demultiplexer((chunk, stream) => got.push(`${stream}:${chunk.toString()}`));
    const f = frame(2, 'late\n');
    push(f.subarray(0, 10));
    expect(got).toEqual([]);
    push(f.subarray(10));
    expect(got).toEqual(['stderr:late\n']);
  });

  it("gives each stream's last line at the end when it has no newline, and nothing twice", () => {
    const got: string[][] = [];
    const lines = linesOf((line, stream) => got.push([stream, line]));
    const push = demultiplexer(lines);
    push(Buffer.concat([frame(1, 'one\ntw'), frame(2, 'err without end\r'), frame(1, 'o')]));
    expect(got).toEqual([['stdout', 'one']]);
    lines.end();
    lines.end();
    expect(got).toEqual([
      ['stdout', 'one'],
      ['stdout', 'two'],
      ['stderr', 'err without end'],
    ]);
  });
});
