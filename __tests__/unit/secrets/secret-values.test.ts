import { composeSecretValues, environmentSecrets, envInBuildLine, hideSecrets, isMaskable, isSecretName, passwordsInUrls, secretForms } from '../../../src/secrets/secret-values';

describe('isSecretName', () => {
  it.each([
    'MYSQL_ROOT_PASSWORD',
    'mysql_password',
    'DBPASSWORD',
    'DB_PASSWD',
    'MYSQL_PWD',
    'RABBITMQ_DEFAULT_PASS',
    'AIRFLOW__WEBSERVER__SECRET_KEY',
    'SECRET',
    'GITHUB_TOKEN',
    'api_token',
    'AWS_SECRET_ACCESS_KEY',
    'ACCESS_KEY',
    'API_KEY',
    'apiKey',
    'ApiKey',
    'STRIPE_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'DB_CREDENTIAL',
    'PRIVATE_KEY',
    'SSH_PRIVATE',
    'APIKEY',
    'KEY',
    'DB_PASSPHRASE',
  ])('%s is secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each(['PWD', 'OLDPWD', 'MYSQL_PASSWORD_FILE', 'MONKEY', 'KEYCLOAK_URL', 'PASSTHROUGH', 'COMPASS_HOST', 'USER', 'MYSQL_DATABASE', 'TOKENIZER', 'LOAD_EX', 'DATABASE_URL'])(
    '%s is not secret by its name',
    (name) => expect(isSecretName(name)).toBe(false),
  );
});

describe('passwordsInUrls', () => {
  it('finds the password of scheme://user:password@host, raw and decoded', () => {
    expect(passwordsInUrls('mysql://root:example@db/airflow')).toEqual(['example']);
    expect(passwordsInUrls('postgresql+psycopg2://u:p%40ss%2Fword@h:5432/x')).toEqual(['p%40ss%2Fword', 'p@ss/word']);
    expect(passwordsInUrls('a=redis://:hunter22@cache:6379 b=amqp://guest:guest-pw@mq')).toEqual(['hunter22', 'guest-pw']);
  });

  it('finds nothing without a password', () => {
    expect(passwordsInUrls('http://webserver:8080/health')).toEqual([]);
    expect(passwordsInUrls('mysql://root@db/airflow')).toEqual([]);
    expect(passwordsInUrls('user:pass@host')).toEqual([]);
  });
});

describe('isMaskable', () => {
  it.each(['yes', 'no', 'TRUE', 'false', 'on', 'Off', '', '1', '32771', 'abc', '   '])('%j is not masked', (v) => expect(isMaskable(v)).toBe(false));
  it.each(['example', 'hunter22', 'abcd', 's3cr3t!'])('%j is masked', (v) => expect(isMaskable(v)).toBe(true));
});

describe('environmentSecrets', () => {
  it('takes secrets by name and passwords inside URLs, never flags, and names short ones', () => {
    const env = {
      MYSQL_ROOT_PASSWORD: 'example',
      MYSQL_ALLOW_EMPTY_PASSWORD: 'yes',
      MYSQL_RANDOM_ROOT_PASSWORD: '1',
      AIRFLOW__WEBSERVER__SECRET_KEY: 'temporary-key',
      DATABASE_URL: 'mysql://root:urlpass@db/airflow',
      API_TOKEN: 'abc',
      PASSWORD_FILE: '/run/secrets/db',
      EMPTY_PASSWORD: '',
      LOAD_EX: 'n',
    };
    const found = environmentSecrets(env);
    expect(found.secrets.sort()).toEqual(['example', 'temporary-key', 'urlpass']);
    expect(found.unmasked).toEqual(['API_TOKEN']);
  });
});

describe('secretForms and hideSecrets', () => {
  it('masks raw and URL-encoded forms, longest first', () => {
    expect(secretForms('a b c')).toEqual(['a b c', 'a%20b%20c']);
    expect(hideSecrets('mysql://root:a%20b%20c@h', ['a b c'])).toBe('mysql://root:***@h');
    expect(hideSecrets('mysql://root:example@h/airflow', ['example'])).toBe('mysql://root:***@h/airflow');
    expect(hideSecrets('port 32771 yes', ['yes', '1'])).toBe('port 32771 yes');
  });
});

describe('envInBuildLine', () => {
  it('reads ENV lines as builders echo them', () => {
    expect(envInBuildLine('Step 2/3 : ENV SERVICE_API_KEY=img-key-42 OTHER="a b"')).toEqual({ SERVICE_API_KEY: 'img-key-42', OTHER: 'a b' });
    expect(envInBuildLine('#5 [2/3] ENV DB_PASSWORD hunter22')).toEqual({ DB_PASSWORD: 'hunter22' });
    expect(envInBuildLine(' ---> Running in 1234')).toEqual({});
    expect(envInBuildLine('ENVIRONMENT=prod')).toEqual({});
  });
});

describe('composeSecretValues', () => {
  it("takes every top-level secret's value, from content, a variable or a file, whatever its name", () => {
    const files: Record<string, string> = { '/w/cert.pem': 'file-value-0815\n' };
    const found = composeSecretValues(
      [
        { name: 'db_conn', environment: 'DB_CONN' },
        { name: 'cert', file: '/w/cert.pem' },
        { name: 'inline', content: 'inline-value-77' },
        { name: 'short', environment: 'SHORT' },
        { name: 'unset', environment: 'NOT_SET' },
        { name: 'gone', file: '/w/missing' },
      ],
      (f) => files[f],
      { DB_CONN: 'env-value-4711', SHORT: 'ab' },
    );
    expect(found.secrets.sort()).toEqual(['env-value-4711', 'file-value-0815', 'file-value-0815\n', 'inline-value-77'].sort());
    expect(found.unmasked).toEqual(['secret short']);
  });
});
