import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { parseInspect } from '../../../src/engine/container-facts';
import { buildReport } from '../../../src/outputs/service-report';
import { escapeCell, summaryMarkdown, swarmSummaryMarkdown } from '../../../src/outputs/summary';

describe('report and summary', () => {
  const model = parseResolvedConfig('services:\n  "web|x":\n    image: nginx\n    ports: ["80"]\n  job:\n    image: busybox\n');
  const web = parseInspect({
    Id: 'w1',
    Name: '/p_web_1',
    State: { Status: 'running' },
    Config: { Image: 'nginx', Labels: { 'com.docker.compose.service': 'web|x' } },
    NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '32768' }] } },
  });
  const report = buildReport(
    model,
    {
      'web|x': { name: 'web|x', status: 'ready', how: 'listening', readyMs: 1234, readyAt: '2026-01-01T00:00:00.000Z', containers: [web] },
      job: { name: 'job', status: 'not-started', containers: [] },
    },
    'localhost',
  );

  it('builds the services and urls outputs', () => {
    expect(report.urls).toEqual({ 'web|x': 'http://localhost:32768' });
    expect(report.services['web|x']).toMatchObject({ state: 'ready', containers: ['w1'], readySeconds: 1.234, readiness: 'listening', url: 'http://localhost:32768' });
    expect(report.services.job).toMatchObject({ state: 'not-started', containers: [], ports: [], url: null, image: 'busybox' });
  });

  it('writes one escaped row per service and the failure in a code block', () => {
    const md = summaryMarkdown('proj', report, { message: 'boom\n```` x' });
    expect(md).toContain('| web\\|x | ready (listening) | — | 1.2 s | http://localhost:32768 | nginx |');
    expect(md).toContain('| job | not-started |');
    expect(md).toContain('````\nboom\n` ` ` ` x\n````');
    expect(escapeCell('<b>*a*</b>')).toBe('\\<b\\>\\*a\\*\\</b\\>');
  });

  it("reports the health the verdict rests on when the action's own healthcheck run passed before the engine's", () => {
    const db = (health: string) =>
      parseInspect({
        Id: 'd1',
        Name: '/p_db_1',
        State: { Status: 'running', Health: { Status: health } },
        Config: { Image: 'mysql', Labels: { 'com.docker.compose.service': 'db' } },
      });
    const dbModel = parseResolvedConfig('services:\n  db:\n    image: mysql\n');
    const byOwnRun = buildReport(dbModel, { db: { name: 'db', status: 'ready', how: 'healthy', containers: [db('starting')] } }, 'localhost');
    expect(byOwnRun.services.db).toMatchObject({ health: 'healthy', readiness: 'healthy' });
    // Judged otherwise (a wait-for probe), the engine's word stands.
    const byProbe = buildReport(dbModel, { db: { name: 'db', status: 'ready', how: 'listening', containers: [db('starting')] } }, 'localhost');
    expect(byProbe.services.db.health).toBe('starting');
  });
});

describe('the job summary of a stack on a swarm', () => {
  it("lists each service's verdict, time, nodes and ports (host mode named); a failure says why, secrets hidden", () => {
    const md = swarmSummaryMarkdown('shop', {
      db: {
        readiness: 'listening',
        readySeconds: 6.24,
        nodes: ['node1'],
        ports: [{ url: 'mysql://10.0.0.1:30001', published: 30001, protocol: 'tcp', mode: 'ingress' }],
        url: 'mysql://10.0.0.1:30001',
      },
      api: {
        readiness: 'http',
        readySeconds: 2,
        nodes: ['node3'],
        ports: [{ url: 'http://10.0.0.3:18080', published: 18080, protocol: 'tcp', mode: 'host' }],
        url: 'https://api.pr-7.example.test',
      },
      migrate: { readiness: 'completed', readySeconds: 1.5, nodes: [], ports: [] },
    });
    expect(md).toBe(
      [
        '### Ephemeral Compose: `shop` on Swarm',
        '',
        '| service | ready | ready after | nodes | ports |',
        '| --- | --- | --- | --- | --- |',
        '| db | listening | 6.2 s | node1 | mysql://10.0.0.1:30001 |',
        '| api | http | 2.0 s | node3 | https://api.pr-7.example.test<br>http://10.0.0.3:18080 (host mode) |',
        '| migrate | completed | 1.5 s | — | — |',
        '',
      ].join('\n'),
    );
    expect(swarmSummaryMarkdown('shop', {}, 'Service migrate failed on Swarm: password s3cret rejected', ['s3cret'])).toBe(
      '### Ephemeral Compose: `shop` on Swarm\n\n**The stack did not come up:**\n\n````\nService migrate failed on Swarm: password *** rejected\n````\n',
    );
  });
});
