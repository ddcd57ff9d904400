/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    // transpile only: `npm test` type-checks the whole project with tsc first
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // the real servers start once for the whole run, and the workflow code is bundled once
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
  verbose: true,
};
