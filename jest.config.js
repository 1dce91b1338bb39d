// Unit tests (pure logic, fakes allowed) and e2e tests (real Docker engine, run serially) are
// separate projects so `npm test` can run them with different settings.
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
module.exports = {
  projects: [
    { displayName: 'unit', testEnvironment: 'node', transform: tsJest, testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform: tsJest,
      testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/__tests__/helpers/e2e-setup.ts'],
    },
  ],
};
