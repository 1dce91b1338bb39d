import { parseResolvedConfig } from '../../../src/compose/compose-model';
import { parseInspect } from '../../../src/engine/container-facts';
import { commentMarker, previewCommentBody } from '../../../src/previews/preview-comment';
import { buildReport } from '../../../src/outputs/service-report';
import { summaryMarkdown } from '../../../src/outputs/summary';
import { expandPreviewUrl, urlTemplateFields } from '../../../src/outputs/url-template';

// url-template: public URLs for HTTP services; the pull request's comment that shows them.

const model = parseResolvedConfig(
  'services:\n  web:\n    image: app\n    ports: ["8080"]\n  db:\n    image: postgres\n    ports: ["5432"]\n    environment:\n      POSTGRES_PASSWORD: s3cret-pw\n',
);
const container = (id: string, service: string, port: number, host: string, env: string[] = []) =>
  parseInspect({
    Id: id,
    Name: `/p-${service}-1`,
    State: { Status: 'running' },
    Config: { Image: 'x', Env: env, Labels: { 'com.docker.compose.service': service } },
    NetworkSettings: { Ports: { [`${port}/tcp`]: [{ HostIp: '0.0.0.0', HostPort: host }] } },
  });
const outcomes = {
  web: { name: 'web', status: 'ready' as const, containers: [container('w', 'web', 8080, '32770')] },
  db: { name: 'db', status: 'ready' as const, containers: [container('d', 'db', 5432, '32771', ['POSTGRES_PASSWORD=s3cret-pw'])] },
};
const preview = { template: 'https://{service}.pr-{pr}.{branch}.example.com/{project}?p={port}&h={host}', project: 'shop-pr-7', pr: '7', branch: 'feat-x' };

describe('url-template', () => {
  it('names the placeholders used and refuses unknown ones by name', () => {
    expect(urlTemplateFields('https://{service}.pr-{pr}.x/{service}')).toEqual(['service', 'pr']);
    expect(() => urlTemplateFields('https://{service}.{prr}.{env}.x')).toThrow(
      "Input 'url-template' has unknown placeholder(s) {prr}, {env}; known: {service} {project} {pr} {branch} {port} {host}.",
    );
    expect(expandPreviewUrl('{host}:{port}', { service: 's', project: 'p', pr: '1', branch: 'b', port: '80', host: 'h' })).toBe('h:80');
  });

  it('gives HTTP services their public URL everywhere; others keep host:port', () => {
    const report = buildReport(model, outcomes, 'localhost', 'published', preview);
    expect(report.urls.web).toBe('https://web.pr-7.feat-x.example.com/shop-pr-7?p=32770&h=localhost');
    expect(report.services.web.url).toBe(report.urls.web);
    // Later steps on the runner still connect where the port is.
    expect(report.services.web.reach).toEqual({ host: 'localhost', port: 32770 });
    expect(report.urls.db).toMatch(/^postgres:\/\/postgres:s3cret-pw@localhost:32771/);
    const summary = summaryMarkdown('shop-pr-7', report);
    expect(summary).toContain('https://web.pr-7.feat-x.example.com/shop-pr-7?p=32770&h=localhost<br>http://localhost:32770');
  });
});

describe('the preview comment', () => {
  const report = buildReport(model, outcomes, 'localhost', 'published', preview);
  const base = { project: 'shop-pr-7', commit: '0123456789abcdef', runUrl: 'https://gh/run/1', updatedAt: new Date('2026-01-01T00:00:00Z'), secrets: ['s3cret-pw'] };

  it('starts with its marker and shows status, commit, run, expiry and each service’s URL, secrets hidden', () => {
    const body = previewCommentBody({ ...base, status: 'ready', report, expiresAt: new Date('2026-01-08T00:00:00Z') });
    expect(body.startsWith(commentMarker('shop-pr-7'))).toBe(true);
    expect(body).toContain('### Preview `shop-pr-7` is ready');
    expect(body).toContain('commit `0123456789ab` · [workflow run](https://gh/run/1) · updated 2026-01-01T00:00:00.000Z · expires 2026-01-08T00:00:00.000Z');
    expect(body).toContain('| web | ready | https://web.pr-7.feat-x.example.com/shop-pr-7?p=32770&h=localhost |');
    expect(body).not.toContain('s3cret-pw');
    expect(body).toContain('postgres:\\*\\*\\*@');
  });

  it('says why a deploy failed, and that a removed preview is gone', () => {
    const failed = previewCommentBody({ ...base, status: 'failed', report, failure: 'web exited with code 3 (password s3cret-pw)' });
    expect(failed).toContain('did not come up');
    expect(failed).toContain('web exited with code 3 (password ***)');
    const removed = previewCommentBody({ ...base, status: 'removed', report, expiresAt: new Date() });
    expect(removed).toContain('### Preview `shop-pr-7` was removed');
    expect(removed).not.toContain('| web |');
    expect(removed).not.toContain('expires');
  });
});
