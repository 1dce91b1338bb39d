import * as fs from 'fs';
import * as path from 'path';
import { mayHaveCredentials } from '../../../src/engine/docker-config';
import { tempDir } from '../../helpers/temp-dirs';

// Whether a pull needs compose (which reads the CLI's credentials) or may go to the engine
// without any: read from the CLI's config.json, never a credential itself.

function configWith(config: unknown): NodeJS.ProcessEnv {
  const dir = tempDir('ec-docker-config-');
  if (config !== undefined) fs.writeFileSync(path.join(dir, 'config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  return { DOCKER_CONFIG: dir };
}

describe("the CLI's credentials", () => {
  it('are there for a registry in auths, under any of the names Docker Hub goes by', () => {
    const env = configWith({ auths: { 'https://index.docker.io/v1/': { auth: 'eDp5' }, 'ghcr.io': {} } });
    expect(mayHaveCredentials(env, 'docker.io')).toBe(true);
    expect(mayHaveCredentials(env, 'ghcr.io')).toBe(true);
    expect(mayHaveCredentials(env, 'quay.io')).toBe(false);
  });

  it('may be anywhere with a credential store, and where a helper is named', () => {
    expect(mayHaveCredentials(configWith({ credsStore: 'desktop' }), 'quay.io')).toBe(true);
    expect(mayHaveCredentials(configWith({ credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' } }), '123.dkr.ecr.eu-west-1.amazonaws.com')).toBe(true);
  });

  it('are none without a config file, and may be anywhere when it cannot be read', () => {
    expect(mayHaveCredentials(configWith(undefined), 'docker.io')).toBe(false);
    expect(mayHaveCredentials(configWith('{ not json'), 'docker.io')).toBe(true);
  });
});
