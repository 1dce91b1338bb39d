import { composeVariables, earlierExports, EXPORTED_NAMES, exportedNamesValue, overwriteWarning, withoutEarlierComposeExports } from '../../../src/outputs/compose-env';

describe('compose variables for later steps', () => {
  it('names the project, its files, and the profiles and env files only when the inputs set them', () => {
    expect(composeVariables({ projectName: 'p', files: ['/w/compose.yaml', '/w/compose.override.yaml'], profiles: [], envFiles: [] })).toEqual({
      COMPOSE_PROJECT_NAME: 'p',
      COMPOSE_FILE: '/w/compose.yaml:/w/compose.override.yaml',
    });
    expect(composeVariables({ projectName: 'p', files: ['/t/x.yaml'], profiles: ['a', 'b'], envFiles: ['/w/.env.ci'] })).toEqual({
      COMPOSE_PROJECT_NAME: 'p',
      COMPOSE_FILE: '/t/x.yaml',
      COMPOSE_PROFILES: 'a,b',
      COMPOSE_ENV_FILES: '/w/.env.ci',
    });
  });

  it("keeps an earlier use's COMPOSE_* from this use's compose, and only those", () => {
    const env = { [EXPORTED_NAMES]: 'COMPOSE_FILE COMPOSE_PROJECT_NAME WEB_URL', COMPOSE_FILE: '/a.yaml', COMPOSE_PROJECT_NAME: 'a', COMPOSE_PROFILES: 'mine', WEB_URL: 'u' };
    expect(withoutEarlierComposeExports(env)).toEqual({ [EXPORTED_NAMES]: env[EXPORTED_NAMES], COMPOSE_PROFILES: 'mine', WEB_URL: 'u' });
    const untouched = { COMPOSE_FILE: '/user.yaml' };
    expect(withoutEarlierComposeExports(untouched)).toBe(untouched);
  });

  it('warns what a second use overwrites, with the env-prefix that keeps both', () => {
    const env = { [EXPORTED_NAMES]: exportedNamesValue({}, ['COMPOSE_PROJECT_NAME', 'WEB_HOST']) };
    expect(earlierExports(env)).toEqual(['COMPOSE_PROJECT_NAME', 'WEB_HOST']);
    const warning = overwriteWarning(env, ['COMPOSE_PROJECT_NAME', 'DB_HOST', 'WEB_HOST']);
    expect(warning).toContain('exported COMPOSE_PROJECT_NAME, WEB_HOST; this step overwrites them');
    expect(warning).toContain("'export-env'");
    expect(warning).toContain('docker compose -p');
    expect(overwriteWarning(env, ['API_HOST'])).toBeUndefined();
    expect(overwriteWarning({}, ['COMPOSE_PROJECT_NAME'])).toBeUndefined();
    expect(exportedNamesValue(env, ['API_HOST', 'WEB_HOST'])).toBe('API_HOST COMPOSE_PROJECT_NAME WEB_HOST');
  });
});
