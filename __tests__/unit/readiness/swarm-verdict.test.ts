import { parseTasks, SwarmCli, SwarmTask } from '../../../src/engine/swarm';
import { judgeTasks } from '../../../src/readiness/swarm-verdict';

// Tasks as `docker stack ps --no-trunc --format '{{json .}}'` lists them, judged.

const line = (o: Record<string, string>) => JSON.stringify({ ID: 'x', Image: 'busybox', Ports: '', ...o });
const ps = (...lines: Record<string, string>[]) => parseTasks(lines.map(line).join('\n'));

describe('swarm tasks', () => {
  it('reads docker stack ps lines, the slot history mark and the state word included', () => {
    const [t, old]: SwarmTask[] = ps(
      { ID: 'a1', Name: 'shop_db.1', Node: 'node2', DesiredState: 'Running', CurrentState: 'Running 3 seconds ago', Error: '' },
      { ID: 'a0', Name: ' \\_ shop_db.1', Node: 'node1', DesiredState: 'Shutdown', CurrentState: 'Failed 9 seconds ago', Error: '"task: non-zero exit (1)"' },
    );
    expect(t).toEqual({ id: 'a1', name: 'shop_db.1', service: 'shop_db', node: 'node2', desired: 'Running', state: 'Running', error: '' });
    expect(old).toMatchObject({ service: 'shop_db', state: 'Failed', error: 'task: non-zero exit (1)' });
  });

  it('is ready once enough tasks run, or complete for a job; waits with what each task does', () => {
    const tasks = ps(
      { ID: '1', Name: 'shop_web.1', Node: 'n1', DesiredState: 'Running', CurrentState: 'Running 1 second ago' },
      { ID: '2', Name: 'shop_web.2', Node: 'n2', DesiredState: 'Running', CurrentState: 'Starting 1 second ago' },
      { ID: '3', Name: 'shop_migrate.1', Node: 'n2', DesiredState: 'Complete', CurrentState: 'Complete 1 second ago' },
    );
    expect(judgeTasks('shop_web', tasks, { replicas: 1, job: false }, new Set())).toEqual({ kind: 'ready', nodes: ['n1'] });
    expect(judgeTasks('shop_web', tasks, { replicas: 2, job: false }, new Set())).toEqual({ kind: 'waiting', why: '1 of 2 tasks running; tasks: running on n1, starting on n2' });
    expect(judgeTasks('shop_migrate', tasks, { replicas: 1, job: true }, new Set())).toEqual({ kind: 'ready', nodes: ['n2'] });
    expect(judgeTasks('shop_db', tasks, { replicas: 1, job: false }, new Set())).toEqual({ kind: 'waiting', why: '0 of 1 task running; no task yet' });
  });

  it("fails at once on this deploy's failed, rejected or unplaceable task, naming the node; earlier failures are history", () => {
    const failed = ps({ ID: 'f', Name: 'shop_app.1', Node: 'n3', DesiredState: 'Shutdown', CurrentState: 'Failed 2 seconds ago', Error: 'task: non-zero exit (13)' });
    expect(judgeTasks('shop_app', failed, { replicas: 1, job: false }, new Set())).toEqual({ kind: 'failed', why: 'task shop_app.1 on node n3 failed: task: non-zero exit (13)' });
    expect(judgeTasks('shop_app', failed, { replicas: 1, job: false }, new Set(['f'])).kind).toBe('waiting');
    const rejected = ps({ ID: 'r', Name: 'shop_app.1', Node: 'n1', DesiredState: 'Shutdown', CurrentState: 'Rejected 1 second ago', Error: 'No such image: acme/app:1' });
    expect(judgeTasks('shop_app', rejected, { replicas: 1, job: false }, new Set())).toEqual({
      kind: 'failed',
      why: 'task shop_app.1 on node n1 rejected: No such image: acme/app:1',
    });
    const pending = ps({
      ID: 'p',
      Name: 'shop_app.1',
      Node: '',
      DesiredState: 'Running',
      CurrentState: 'Pending 3 seconds ago',
      Error: 'no suitable node (scheduling constraints not satisfied on 3 nodes)',
    });
    expect(judgeTasks('shop_app', pending, { replicas: 1, job: false }, new Set())).toEqual({
      kind: 'failed',
      why: 'task shop_app.1 cannot be placed: no suitable node (scheduling constraints not satisfied on 3 nodes)',
    });
  });
});

describe('the swarm CLI calls', () => {
  const runner = (code: number, stdout: string, stderr: string) => ({
    run: () => Promise.resolve({ code, stdout, stderr }),
    stream: () => {
      throw new Error('not used');
    },
    passThrough: () => Promise.resolve(0),
  });

  it("waits on a service's task rejected for a network pool a node still holds (Swarm places it again); a job's rejection fails", () => {
    const error = '"failed to create network x_default: Error response from daemon: Pool overlaps with other one on this address space"';
    const tasks = ps(
      { ID: 'r1', Name: 'shop_web.1', Node: 'node2', DesiredState: 'Shutdown', CurrentState: 'Rejected 2 seconds ago', Error: error },
      { ID: 'r2', Name: 'shop_web.1', Node: 'node3', DesiredState: 'Running', CurrentState: 'Preparing 1 second ago' },
      { ID: 'j1', Name: 'shop_migrate.1', Node: 'node2', DesiredState: 'Shutdown', CurrentState: 'Rejected 2 seconds ago', Error: error },
    );
    expect(judgeTasks('shop_web', tasks, { replicas: 1, job: false }, new Set())).toEqual({
      kind: 'waiting',
      why: '0 of 1 task running; tasks: preparing on node3; rejected on node2 (failed to create network x_default: Error response from daemon: Pool overlaps with other one on this address space), placed again',
    });
    expect(judgeTasks('shop_migrate', tasks, { replicas: 1, job: true }, new Set())).toMatchObject({ kind: 'failed' });
    // Any other rejection fails at once.
    const other = ps({ ID: 'r3', Name: 'shop_web.1', Node: 'node2', DesiredState: 'Shutdown', CurrentState: 'Rejected 1 second ago', Error: '"No such image: shop/web:2"' });
    expect(judgeTasks('shop_web', other, { replicas: 1, job: false }, new Set())).toEqual({
      kind: 'failed',
      why: 'task shop_web.1 on node node2 rejected: No such image: shop/web:2',
    });
  });

  it('reads a stack whose services have no task yet as no tasks, and fails on any other error', async () => {
    await expect(new SwarmCli(runner(1, '', 'nothing found in stack: shop\n'), {}).tasks('shop')).resolves.toEqual([]);
    await expect(new SwarmCli(runner(1, '', 'Cannot connect to the Docker daemon\n'), {}).tasks('shop')).rejects.toThrow("'docker stack ps shop' failed (exit code 1)");
  });
});
