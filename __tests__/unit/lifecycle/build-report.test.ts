import { withBuildProgress } from '../../../src/lifecycle/build-report';

describe('withBuildProgress', () => {
  afterEach(() => jest.useRealTimers());

  it('says when the build starts, every few seconds while it runs, and when it ends; compose lines to debug', async () => {
    jest.useFakeTimers();
    let now = 0;
    const info: string[] = [];
    const debug: string[] = [];
    const seen: string[] = [];
    let emit: (l: string) => void = () => undefined;
    let finish: () => void = () => undefined;
    const done = withBuildProgress(
      ['app'],
      { info: (l) => info.push(l), debug: (l) => debug.push(l) },
      (l) => seen.push(l),
      (line) => {
        emit = line;
        return new Promise<void>((r) => (finish = r));
      },
      { everyMs: 5000, now: () => now },
    );
    emit(' Image app Building');
    expect(info).toEqual([]);
    emit('#6 [1/2] COPY busybox /bin/busybox');
    emit('#6 CACHED');
    emit('#7 [2/2] RUN ["make"]');
    now = 5000;
    jest.advanceTimersByTime(5000);
    now = 12400;
    emit('#7 DONE 7.4s');
    finish();
    await done;
    expect(info).toEqual([
      "Building app (compose's build output: in the debug log)",
      '  app: [2/2] RUN ["make"] running 5 s; 1 of 2 steps done, 1 from the cache (5 s)',
      'Built app in 12.4 s: 2 steps, 1 from the cache',
    ]);
    expect(debug).toEqual(seen);
    expect(seen).toHaveLength(5);
  });

  it('says nothing where nothing is built (the image is there already), and stops its ticker on failure', async () => {
    jest.useFakeTimers();
    const info: string[] = [];
    await withBuildProgress(
      ['app'],
      { info: (l) => info.push(l), debug: () => undefined },
      () => undefined,
      async (line) => line(' Container x-app-1 Created'),
    );
    await expect(
      withBuildProgress(
        ['app'],
        { info: (l) => info.push(l), debug: () => undefined },
        () => undefined,
        async () => Promise.reject(new Error('build failed')),
      ),
    ).rejects.toThrow('build failed');
    jest.advanceTimersByTime(20000);
    expect(info).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
