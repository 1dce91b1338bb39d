import { lockName } from '../../../src/lifecycle/project-lock';
import { PostSettings } from '../../../src/lifecycle/post-settings';
import { downProject, RemovalOptions, sweepPreviews } from '../../../src/previews/previews';
import { PreviewTarget } from '../../../src/previews/preview-target';
import { beginSwarmPreview, swarmPlace, swarmRecordName } from '../../../src/previews/swarm-previews';
import { fakeSwarm } from '../../helpers/fake-swarm';

// Previews as stacks on a swarm, over a fake swarm: the lock and the record are configs, the owner
// is read from the services' labels, down and sweep remove the stack. The real swarm:
// __tests__/e2e/swarm.test.ts.

const post: PostSettings = { teardown: 'always', logs: 'never', logLines: 50, stopTimeoutSeconds: 1, downFlags: [], failOnExit: false, logsArtifact: '' };
const target: PreviewTarget = { pr: 7, branch: 'feature', commit: 'abc123', repository: 'o/shop', event: 'pull_request', runUrl: 'https://gh/run/1' };

function options(lines: string[], logs: PostSettings['logs'] = 'never'): RemovalOptions {
  return {
    post: { ...post, logs },
    workingDirectory: '/tmp',
    lockWaitMs: 0,
    log: {
      info: (l) => lines.push(l),
      warning: (l) => lines.push(`warning: ${l}`),
      group: async (title, fn) => {
        lines.push(`group: ${title}`);
        return fn();
      },
      mask: () => undefined,
    },
  };
}

const service = (name: string, labels: Record<string, string> = { 'ephemeral-compose.deployed': 'shop-pr-7' }) => ({ name, labels, taskSpec: '{}', job: false });

const previewOptions = (lines: string[], ttlSeconds?: number) => ({
  project: 'shop-pr-7',
  target,
  lockWaitMs: 0,
  ttlSeconds,
  signal: new AbortController().signal,
  now: () => new Date('2026-12-01T10:00:00Z'),
  log: { info: (l: string) => lines.push(l), warning: (l: string) => lines.push(`warning: ${l}`), notice: (l: string) => lines.push(`notice: ${l}`) },
  describeDuration: (s: number) => `${s} s`,
});

describe('previews on a swarm', () => {
  it('a deploy takes the swarm lock, renews the record (a config the stack removes with itself) and says whether it updates', async () => {
    const f = fakeSwarm(() => [], { services: [service('shop-pr-7_web')] });
    const lines: string[] = [];
    const held: string[] = [];
    const record = await beginSwarmPreview(f.swarm, previewOptions(lines, 3600), (lock) => held.push(lock.name));
    expect(held).toEqual([lockName('shop-pr-7')]);
    expect(f.configs.get(lockName('shop-pr-7'))?.labels).toMatchObject({ 'ephemeral-compose.lock': 'shop-pr-7', 'ephemeral-compose.run': 'https://gh/run/1' });
    expect(record).toMatchObject({ project: 'shop-pr-7', pr: 7, commit: 'abc123', expiresAt: new Date('2026-12-01T11:00:00Z') });
    expect(f.configs.get(swarmRecordName('shop-pr-7'))?.labels).toMatchObject({ 'com.docker.stack.namespace': 'shop-pr-7', 'ephemeral-compose.record': 'shop-pr-7' });
    expect(lines).toContain('Updating stack shop-pr-7 in place: Swarm replaces the tasks of what changed.');
    // A second deploy while the first holds the lock gives up at its timeout, naming the holder.
    await expect(beginSwarmPreview(f.swarm, previewOptions([], 3600), () => undefined)).rejects.toThrow(
      /Project shop-pr-7 is still being changed by another run \(https:\/\/gh\/run\/1, since .*\) after 0 s \('timeout'\)\. If that run is gone, remove its lock: docker config rm shop-pr-7-ephemeral-compose-lock/,
    );
  });

  it('refuses to update or remove a stack it did not deploy', async () => {
    const f = fakeSwarm(() => [], { services: [service('shop-pr-7_web', {}), service('shop-pr-7_db')] });
    await expect(beginSwarmPreview(f.swarm, previewOptions([]), () => undefined)).rejects.toThrow(
      "Stack 'shop-pr-7' is on the swarm but was not deployed by this action (service shop-pr-7_web without the label ephemeral-compose.deployed), so it does not update it.",
    );
    // The lock of the refused deploy is the caller's to release; down waits for none here.
    f.configs.clear();
    await expect(downProject(swarmPlace(f.swarm), 'shop-pr-7', options([]))).rejects.toThrow('so it does not remove it');
    expect(f.services.size).toBe(2);
    expect(f.configs.size).toBe(0);
  });

  it('down removes the stack under the lock, with the logs asked for; a stack already gone is said so', async () => {
    const f = fakeSwarm(() => [{ service: 'web', state: 'Starting' }], { services: [service('shop-pr-7_web'), service('shop-pr-7_db')] });
    const lines: string[] = [];
    expect(await downProject(swarmPlace(f.swarm), 'shop-pr-7', options(lines, 'on-failure'))).toBe('removed');
    expect(f.services.size).toBe(0);
    // on-failure: only the service whose task is not running.
    expect(lines.filter((l) => l.startsWith('group:'))).toEqual(['group: Logs of web (docker service logs)']);
    expect(lines).toContain('Removing stack shop-pr-7 from the swarm (docker stack rm): 3 object(s)');
    expect(f.configs.size).toBe(0);
    expect(await downProject(swarmPlace(f.swarm), 'shop-pr-7', options([]))).toBe('gone');
  });

  it('sweep removes the stacks whose ttl has passed or whose pull request is closed, and leaves the rest', async () => {
    const f = fakeSwarm(() => [], {
      services: [
        service('shop-pr-7_web'),
        service('shop-pr-8_web', { 'ephemeral-compose.deployed': 'shop-pr-8' }),
        service('shop-pr-9_web', { 'ephemeral-compose.deployed': 'shop-pr-9' }),
      ],
    });
    const lines: string[] = [];
    // Deployed an hour ago with a ttl of a minute (7), without a ttl (8, pull request closed), without a ttl (9, open).
    const held = () => undefined;
    const past = { ...previewOptions(lines, 60), now: () => new Date(Date.now() - 3600_000) };
    await beginSwarmPreview(f.swarm, past, held);
    f.configs.delete(lockName('shop-pr-7'));
    for (const pr of [8, 9]) {
      await beginSwarmPreview(f.swarm, { ...previewOptions(lines), project: `shop-pr-${pr}`, target: { ...target, pr } }, held);
      f.configs.delete(lockName(`shop-pr-${pr}`));
    }
    const result = await sweepPreviews(swarmPlace(f.swarm), new Date(), options(lines), (r) => Promise.resolve(r.pr === 8 ? 'pull request #8 is closed' : undefined));
    expect(result.removed.map((r) => [r.project, r.why])).toEqual([
      ['shop-pr-7', expect.stringMatching(/^expired at /)],
      ['shop-pr-8', 'pull request #8 is closed'],
    ]);
    expect(result.kept).toBe(1);
    expect([...f.services.keys()]).toEqual(['shop-pr-9_web']);
    expect([...f.configs.keys()]).toEqual([swarmRecordName('shop-pr-9')]);
  });
});
