import * as path from 'path';
import { docker, FIXTURES, leftovers, projectsRemovedAfterEach, runAction } from '../helpers/engine';

// A stack that prints its whole environment and fails: every secret (by the names the ecosystem
// uses, inside a URL, from the image's own ENV) is registered before its first appearance in
// anything the job shows, and flags such as "yes" are never registered.

const project = projectsRemovedAfterEach();

const SECRETS = [
  'airflow-secret-key-1',
  'api-key-value-2',
  'access-key-value-3',
  'passwd-value-4',
  'pwd-value-5',
  'pass-value-6',
  'token-value-7',
  'credentials-value-8',
  'private-value-9',
  'camel-key-value-10',
  'url-password-11',
  'img-key-4242', // the image's ENV, echoed by the build before the image exists
];

it('registers every secret before it is first printed, and no flag', async () => {
  const name = project('secrets');
  const image = `ephemeral-compose-test/secrets-leaky:${name}`;
  try {
    const result = await runAction({ workspace: path.join(FIXTURES, 'secrets'), inputs: { 'project-name': name, logs: 'always', 'stop-timeout': '0' }, env: { EC_TAG: name } });
    expect(result.main.outcome).toBe('failure');
    const errors = result.main.errors.join('\n');
    expect(errors).toContain('printed the environment');
    // The failure message carries the log lines: flags and ordinary values stay readable.
    expect(errors).toContain('MYSQL_ALLOW_EMPTY_PASSWORD=yes');
    expect(errors).toContain('MYSQL_RANDOM_ROOT_PASSWORD=1');
    expect(errors).toContain('FEATURE_TOKEN_ENABLED=true');
    expect(errors).toContain('AIRFLOW__WEBSERVER__SECRET_KEY=***');
    expect(errors).toContain('DATABASE_URL=mysql://root:***@db/airflow');
    // BuildKit prints no ENV line; the value is first seen in the created container's env.
    expect(result.main.output).not.toMatch(/ENV SERVICE_API_KEY[= ](?!\*\*\*)/);
    for (const secret of SECRETS) {
      expect([secret, result.masks.includes(secret)]).toEqual([secret, true]);
      // The harness shows a value unmasked when it was printed before its mask was registered.
      expect([secret, result.main.output.includes(secret)]).toEqual([secret, false]);
      expect([secret, result.post?.output.includes(secret)]).toEqual([secret, false]);
      // The summary file is not masked by the runner: the action hides secrets there itself.
      expect([secret, result.main.summary.includes(secret)]).toEqual([secret, false]);
    }
    for (const flag of ['yes', '1', 'true', 'abc']) expect([flag, result.masks.includes(flag)]).toEqual([flag, false]);
    // A real value too short to mask is named, never shown.
    expect(result.main.output).toMatch(/::warning::Not masked: SHORT_TOKEN/);
    expect(result.post?.output).toContain('Logs of leaky');
    expect(result.post?.output).toContain('SERVICE_API_KEY=***');
    expect(leftovers(name)).toEqual([]);
  } finally {
    docker('image', 'rm', '-f', image);
  }
});
