import { BuildProgress, shortStep } from '../../../src/engine/build-progress';

// Lines as compose 2.40 printed them for the build-cache fixture (BuildKit's plain progress).
const REBUILD = [
  '#1 [internal] load local bake definitions',
  '#1 reading from stdin 674B done',
  '#1 DONE 0.0s',
  '#4 importing cache manifest from local:1753096447349316902',
  '#4 DONE 0.0s',
  '#6 [1/3] COPY busybox /bin/busybox',
  '#6 CACHED',
  '#7 [2/3] RUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 12"]',
  '#7 CACHED',
  '#8 [3/3] COPY source /source',
  '#8 DONE 0.1s',
  '#9 exporting to image',
  '#9 DONE 0.2s',
  ' probe-app  Built',
];

describe('BuildProgress', () => {
  it("counts the Dockerfile's steps, those done and those from the cache, not BuildKit's own", () => {
    const p = new BuildProgress();
    REBUILD.forEach((l) => p.take(l));
    expect(p.counts).toEqual({ steps: 3, ended: 3, cached: 2 });
    expect(p.running()).toEqual([]);
  });

  it('says which step runs and for how long; a step of one target among several counts too', () => {
    let now = 1000;
    const p = new BuildProgress(() => now);
    p.take('#5 [web 1/2] COPY . /src');
    p.take('#5 DONE 0.1s');
    p.take('#6 [web 2/2] RUN make');
    now = 3000;
    p.take('#7 [worker 1/1] RUN pip install -r requirements.txt');
    p.take('#6 12.37 compiling main.c');
    now = 13000;
    expect(p.running()).toEqual([
      { name: '[web 2/2] RUN make', seconds: 12 },
      { name: '[worker 1/1] RUN pip install -r requirements.txt', seconds: 10 },
    ]);
    expect(p.counts).toEqual({ steps: 3, ended: 1, cached: 0 });
    p.take('#6 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2');
    expect(p.counts).toEqual({ steps: 3, ended: 2, cached: 0 });
  });

  it('cuts a long step for a one-line report', () => {
    expect(shortStep('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(shortStep('RUN make')).toBe('RUN make');
  });
});
