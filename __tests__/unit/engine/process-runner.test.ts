import { CommandNotFoundError, SpawnRunner } from '../../../src/engine/process-runner';

// The runner with real child processes (sh, sleep): no Docker involved.

describe('SpawnRunner', () => {
  const runner = new SpawnRunner();

  it('runs an argument array, never a shell, and captures both streams', async () => {
    const r = await runner.run('sh', ['-c', 'echo "$1"; echo err >&2; exit 3', 'sh', '$(not expanded) ; x']);
    expect(r).toEqual({ code: 3, stdout: '$(not expanded) ; x\n', stderr: 'err\n' });
  });

  it('keeps only the last bytes of a large output', async () => {
    const r = await runner.run('sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done'], { maxBytes: 1000 });
    expect(r.stdout.length).toBeLessThanOrEqual(2000);
    expect(r.stdout).toContain('line 1999');
    expect(r.stdout).not.toContain('line 5\n');
  });

  it('hands each line over as it comes', async () => {
    const lines: string[] = [];
    await runner.run('sh', ['-c', 'printf "a\\r\\nb\\n"; printf "c\\n" >&2'], { onLine: (l, s) => lines.push(`${s}:${l}`) });
    expect(lines.sort()).toEqual(['stderr:c', 'stdout:a', 'stdout:b']);
  });

  it('says which program is missing', async () => {
    await expect(runner.run('no-such-program-ec', [])).rejects.toBeInstanceOf(CommandNotFoundError);
  });

  it('settles at once on cancel and ends the whole process group', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const run = runner.run('sh', ['-c', 'sleep 30 & sleep 30; wait'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(run).rejects.toThrow("'sh -c' was cancelled");
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(runner.run('sh', [], { signal: controller.signal })).rejects.toThrow('was cancelled');
  });

  it('times out', async () => {
    await expect(runner.run('sleep', ['30'], { timeoutMs: 200 })).rejects.toThrow("'sleep 30' timed out after 0 s");
  });

  it('hands over the last line too when the output ends without a newline', async () => {
    const streamed: string[] = [];
    await runner.stream('sh', ['-c', 'printf "one\\ntwo"; printf "err" >&2'], { onLine: (l, s) => streamed.push(`${s} ${l}`) }).done;
    expect(streamed.sort()).toEqual(['stderr err', 'stdout one', 'stdout two']);
    const ran: string[] = [];
    await runner.run('sh', ['-c', 'printf "a\\nb"'], { onLine: (l) => ran.push(l) });
    expect(ran).toEqual(['a', 'b']);
  });

  it('streams lines until stopped', async () => {
    const lines: string[] = [];
    const p = runner.stream('sh', ['-c', 'echo one; sleep 30'], { onLine: (l) => lines.push(l) });
    while (lines.length === 0) await new Promise((r) => setTimeout(r, 10));
    p.stop();
    expect(await p.done).toBe(130);
    expect(lines).toEqual(['one']);
  });

  it('passes output through and gives the exit code', async () => {
    expect(await runner.passThrough('sh', ['-c', 'exit 4'])).toBe(4);
  });
});
