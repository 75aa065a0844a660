/**
 * One Jest run for every kind of test: unit specs beside the code, e2e specs
 * against real PostgreSQL and Redis, and Chromium browser specs. The global setup
 * creates a fresh database (migrated) and Redis key prefix; the teardown drops them.
 */
module.exports = {
  rootDir: '.',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '(src|libs|config|test)/.*\\.(spec|e2e-spec|browser-spec)\\.ts$',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  testEnvironment: '<rootDir>/test/support/isolated-environment.ts',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
