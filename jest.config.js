// Unit tests (pure logic, fakes allowed) and e2e tests (real Docker engine, in parallel workers) are
// separate projects so `npm test` can run them with different settings. Coverage is the unit
// project's: `npm run test:unit` fails below 85 % of the lines of src/.
// Tests are compiled one file at a time, without type checks: `npm run lint` type-checks src/ and
// the tests once (tsc), instead of every jest worker again.
const tsJest = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
module.exports = {
  collectCoverageFrom: ['src/**/*.ts', '!src/action/entry-*.ts'],
  coverageReporters: ['text-summary', 'text'],
  coverageThreshold: { global: { lines: 85 } },
  // Longest real-engine files first (a global option: jest orders all projects' files with it).
  testSequencer: '<rootDir>/__tests__/helpers/longest-first.js',
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
