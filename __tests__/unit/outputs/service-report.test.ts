import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { parseInspect } from '../../../src/engine/container-facts';
import { buildReport } from '../../../src/outputs/service-report';
import { escapeCell, summaryMarkdown } from '../../../src/outputs/summary';

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
