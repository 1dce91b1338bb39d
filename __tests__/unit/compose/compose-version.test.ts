import { atLeast, MINIMUM_COMPOSE, parseComposeVersion, judgeComposeVersion } from '../../../src/compose/compose-version';

/** The refusal message, or '' where the version is accepted. */
const refusal = (command: string, output: string): string => {
  const verdict = judgeComposeVersion(command, output);
  return 'refusal' in verdict ? verdict.refusal : '';
};

describe('compose version', () => {
  it('reads what `version` prints, in every form seen', () => {
    expect(parseComposeVersion('Docker Compose version 2.40.3-3\n')).toMatchObject({ major: 2, minor: 40, patch: 3, text: '2.40.3-3' });
    expect(parseComposeVersion('Docker Compose version v2.38.2')).toMatchObject({ major: 2, minor: 38, patch: 2, text: 'v2.38.2' });
    expect(parseComposeVersion('docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\n')).toMatchObject({ major: 1, minor: 29, patch: 2, text: '1.29.2' });
    expect(parseComposeVersion('2.26.1')).toMatchObject({ major: 2, minor: 26, patch: 1 });
    expect(parseComposeVersion('Docker Compose version v2')).toBeUndefined();
  });

  it('compares major, minor and patch as numbers', () => {
    const v = (t: string) => parseComposeVersion(t)!;
    expect(atLeast(v('2.26.1'), '2.26.1')).toBe(true);
    expect(atLeast(v('2.100.0'), '2.26.1')).toBe(true);
    expect(atLeast(v('2.26.0'), '2.26.1')).toBe(false);
    expect(atLeast(v('2.9.9'), '2.26.1')).toBe(false);
    expect(atLeast(v('3.0.0'), '2.26.1')).toBe(true);
  });

  it('refuses Compose v1 as end-of-life, naming the version found and how to get v2', () => {
    const m = refusal('docker-compose', 'docker-compose version 1.29.2, build unknown\n');
    expect(m).toContain("Compose v1 ('docker-compose' 1.29.2) is end-of-life");
    expect(m).toContain(`Compose v2, ${MINIMUM_COMPOSE} or newer`);
    expect(m).toContain('docker-compose-plugin');
    expect(m).toContain('cli-plugins');
  });

  it('refuses a v2 older than the minimum, and accepts the minimum and newer', () => {
    expect(refusal('docker compose', '2.20.2')).toContain(`Compose 2.20.2 ('docker compose') is older than ${MINIMUM_COMPOSE}`);
    expect(judgeComposeVersion('docker compose', MINIMUM_COMPOSE)).toMatchObject({ version: { text: MINIMUM_COMPOSE } });
    expect(judgeComposeVersion('docker compose', 'Docker Compose version 2.40.3-3')).toMatchObject({ version: { minor: 40, text: '2.40.3-3' } });
    expect(refusal('my-compose', 'garbage')).toContain("'my-compose version' printed 'garbage'");
  });
});
