import { cacheEntries, describeBuildCache, inWorkspace, parseBuildCache, registryCacheRef } from '../../../src/compose/build-cache';

describe('parseBuildCache', () => {
  it('reads each form of the input', () => {
    expect(parseBuildCache('')).toBeUndefined();
    expect(parseBuildCache(' none ')).toBeUndefined();
    expect(parseBuildCache('gha')).toEqual({ kind: 'gha', scope: '' });
    expect(parseBuildCache('gha:api')).toEqual({ kind: 'gha', scope: 'api' });
    expect(parseBuildCache('registry:localhost:5000/cache/app')).toEqual({ kind: 'registry', ref: 'localhost:5000/cache/app' });
    expect(parseBuildCache('registry:ghcr.io/org/cache:ci')).toEqual({ kind: 'registry', ref: 'ghcr.io/org/cache:ci' });
    expect(parseBuildCache('local:.buildx-cache')).toEqual({ kind: 'local', dir: '.buildx-cache' });
  });

  it('refuses what is none of them, saying which forms there are', () => {
    for (const bad of ['s3', 'local', 'local:', 'registry:', 'gha:a b', 'inline']) {
      expect(() => parseBuildCache(bad)).toThrow(/Input 'build-cache' must be 'none', 'gha', 'gha:<scope>', 'registry:<image reference>' or 'local:<folder>'/);
    }
    expect(() => parseBuildCache('registry:Org/Cache')).toThrow("'Org/Cache' is not an image reference a cache can be pushed to");
    expect(() => parseBuildCache('registry:org/cache@sha256:abc')).toThrow('is not an image reference');
  });
});

describe('cache entries', () => {
  it('gives each service a cache of its own, exporting every stage (mode=max)', () => {
    expect(cacheEntries({ kind: 'gha', scope: '' }, 'app')).toEqual({ from: ['type=gha,scope=app'], to: ['type=gha,scope=app,mode=max'] });
    expect(cacheEntries({ kind: 'gha', scope: 'ci' }, 'app')).toEqual({ from: ['type=gha,scope=ci-app'], to: ['type=gha,scope=ci-app,mode=max'] });
    expect(cacheEntries({ kind: 'registry', ref: 'localhost:5000/cache' }, 'web')).toEqual({
      from: ['type=registry,ref=localhost:5000/cache:web'],
      to: ['type=registry,ref=localhost:5000/cache:web,mode=max'],
    });
    expect(cacheEntries({ kind: 'local', dir: '/c' }, 'app')).toEqual({ from: ['type=local,src=/c/app'], to: ['type=local,dest=/c/app.next,mode=max'] });
  });

  it("tags a registry cache with the service, after the reference's own tag; a port is not a tag", () => {
    expect(registryCacheRef('localhost:5000/cache', 'app')).toBe('localhost:5000/cache:app');
    expect(registryCacheRef('localhost:5000/cache:ci', 'app')).toBe('localhost:5000/cache:ci-app');
    expect(registryCacheRef('org/cache', 'app')).toBe('org/cache:app');
  });

  it('takes a relative folder from the workspace', () => {
    expect(inWorkspace({ kind: 'local', dir: 'cache' }, '/work')).toEqual({ kind: 'local', dir: '/work/cache' });
    expect(inWorkspace({ kind: 'local', dir: '/abs' }, '/work')).toEqual({ kind: 'local', dir: '/abs' });
    expect(inWorkspace({ kind: 'gha', scope: '' }, '/work')).toEqual({ kind: 'gha', scope: '' });
  });

  it('names the backend for the log', () => {
    expect(describeBuildCache({ kind: 'local', dir: '/c' })).toBe('folder /c/<service>');
    expect(describeBuildCache({ kind: 'registry', ref: 'r/c:ci' })).toBe('registry r/c:ci-<service>');
    expect(describeBuildCache({ kind: 'gha', scope: '' })).toBe("GitHub's cache service");
  });
});
