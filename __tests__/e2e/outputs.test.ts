import * as path from 'path';
import { FIXTURES, httpGet, leftovers, projectsRemovedAfterEach, runAction, servicesOutput, urlsOutput } from '../helpers/engine';

// Outputs that later steps use directly, and secrets that never show in plain text.

const project = projectsRemovedAfterEach();

const PASSWORD = 's3cr3t pw/x';
const ENCODED = encodeURIComponent(PASSWORD);

test('URLs, connection strings, exported variables and the summary; passwords masked everywhere they are shown', async () => {
  const name = project('outputs');
  let later: { env: Record<string, string>; admin: string } = { env: {}, admin: '' };
  const result = await runAction({
    workspace: path.join(FIXTURES, 'outputs'),
    inputs: { 'project-name': name, logs: 'always', 'export-env': 'STACK_', timeout: '60' },
    between: async ({ outputs, env }) => {
      later = { env, admin: (await httpGet(outputs['web-url'])).body };
    },
  });
  expect(result.main.errors).toEqual([]);
  const outputs = result.main.outputs;
  const urls = urlsOutput(outputs);
  expect(urls.db).toMatch(new RegExp(`^mysql://root:${ENCODED}@localhost:\\d+/airflow$`));
  expect(urls.web).toMatch(/^http:\/\/localhost:\d+\/admin\/$/);
  expect(later.admin.trim()).toBe('admin');
  // Bound to loopback only: that address, not the host name.
  expect(urls['odd.name-1']).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(outputs['odd.name-1-url']).toBe(urls['odd.name-1']);
  const odd = servicesOutput(result)['odd.name-1'];
  expect(odd.ports.map((p) => [p.target, (p as { protocol?: string }).protocol, p.url ?? null])).toEqual([
    [80, 'tcp', urls['odd.name-1']],
    [5353, 'udp', null],
  ]);
  const web = servicesOutput(result).web;
  expect(web.ports.map((p) => p.target)).toEqual([9000, 8080]);

  // Exported to later steps.
  expect(later.env.STACK_DB_URL).toBe(urls.db);
  expect(later.env.STACK_DB_HOST).toBe('localhost');
  expect(later.env.STACK_DB_PORT).toMatch(/^\d+$/);
  expect(later.env.STACK_ODD_NAME_1_HOST).toBe('127.0.0.1');
  expect(later.env.STACK_WEB_URL).toBe(urls.web);

  // The summary: one row per service, the password hidden.
  // (Markdown-escaped: \*\*\* renders as ***.)
  expect(result.main.summary).toMatch(/\| db \| ready \(listening\) \| — \| [\d.]+ s \| mysql:\/\/root:\\\*\\\*\\\*@localhost:\d+\/airflow \|/);
  expect(result.main.summary).toContain('| odd.name-1 |');

  // Masked before anything printed it: nothing the runner would show has it in plain text,
  // not even the post step's container logs, which echo it.
  expect(result.masks).toEqual(expect.arrayContaining([PASSWORD, ENCODED]));
  for (const text of [result.main.output, result.post?.output ?? '', result.main.summary]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(ENCODED);
  }
  expect(result.post?.output).toContain('root password is ***');
  expect(leftovers(name)).toEqual([]);
});
