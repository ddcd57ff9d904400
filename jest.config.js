/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    // each file transpiled alone (isolatedModules in tsconfig.json): `npm test` type-checks with tsc first
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // the real servers start once for the whole run, and the workflow code is bundled once
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  verbose: true,
};
