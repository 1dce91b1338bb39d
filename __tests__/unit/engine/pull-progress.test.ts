import { parseBytes, PullProgress } from '../../../src/engine/pull-progress';
import { backoffMs, pullFailureKind, retryAfterSeconds } from '../../../src/engine/pull-failure';

// Compose's plain pull output added up per image, and the engine's pull errors sorted by what the
// action does next. The lines are Compose 2.40's, as printed pulling from the test registry.

describe('pull progress', () => {
  it('adds up the layers downloading, counts layers the engine had, and knows when every byte is in', () => {
    const p = new PullProgress();
    for (const line of [
      ' db Pulling ',
      ' bc23991a22b2 Already exists ',
      ' 0cbe5ad8bb9e Pulling fs layer ',
      ' 1d2e3f4a5b6c Waiting ',
      ' 0cbe5ad8bb9e Downloading [==>                                                ]  6.656MB/157.3MB',
    ])
      p.take(line);
    expect(p.done).toBe(6.656e6);
    // The waiting layer's size is not told yet.
    expect(p.total).toEqual({ bytes: 157.3e6, complete: false });
    expect(p.layersCached).toBe(1);
    expect(p.allDownloaded).toBe(false);
    p.take(' 1d2e3f4a5b6c Downloading [>     ]    528kB/2.1MB');
    p.take(' 0cbe5ad8bb9e Download complete ');
    expect(p.done).toBeCloseTo(157.3e6 + 528e3);
    expect(p.total).toEqual({ bytes: 159.4e6, complete: true });
    expect(p.allDownloaded).toBe(false);
    // Unpacking says the layer's bytes are all in.
    p.take(' 1d2e3f4a5b6c Extracting [=====>    ]  1MB/2.1MB');
    expect(p.allDownloaded).toBe(true);
    expect(p.done).toBeCloseTo(159.4e6);
    expect(p.downloaded).toBe(true);
  });

  it('ignores what is not a layer line, and an image whose layers were all there downloaded nothing', () => {
    const p = new PullProgress();
    for (const line of [' db Pulling ', ' bc23991a22b2 Already exists ', ' db Pulled ', 'Downloading 12MB/40MB']) p.take(line);
    expect(p.downloaded).toBe(false);
    expect(p.allDownloaded).toBe(false);
    expect(p.done).toBe(0);
  });

  it('reads sizes as the engine prints them (powers of 1000)', () => {
    expect(parseBytes('528kB')).toBe(528e3);
    expect(parseBytes('1.5GB')).toBe(1.5e9);
    expect(parseBytes('12B')).toBe(12);
    expect(parseBytes('12 parsecs')).toBeUndefined();
  });
});

describe('pull failures', () => {
  it.each([
    ['received unexpected HTTP status: 503 Service Unavailable', 'transient'],
    ['Get "http://127.0.0.1:36371/v2/": EOF', 'transient'],
    ['read tcp 10.0.0.2:5000: read: connection reset by peer', 'transient'],
    ['Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded)', 'transient'],
    ['toomanyrequests: You have reached your pull rate limit.', 'rate-limited'],
    ["pull access denied for mariadbb, repository does not exist or may require 'docker login'", 'unauthorized'],
    ['unauthorized: authentication required', 'unauthorized'],
    ['manifest for mysql:9.99 not found: manifest unknown: manifest unknown', 'missing'],
    ['no space left on device', 'other'],
  ])('%s: %s', (message, kind) => {
    expect(pullFailureKind(message)).toBe(kind);
  });

  it('backs off doubling from a second, at most half a minute', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it('reads a Retry-After the message passes on', () => {
    expect(retryAfterSeconds('toomanyrequests: slow down (Retry-After: 7)')).toBe(7);
    expect(retryAfterSeconds('toomanyrequests: slow down')).toBeUndefined();
  });
});
