/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Type checking is `tsc --noEmit` in `npm test`; transpiling only keeps jest fast.
  // The example app imports the package by name, as users do; tests run it against the sources.
  moduleNameMapper: {
    '^serverless-distributed-processing$': '<rootDir>/lib/index.ts',
    '^serverless-distributed-processing/handlers$': '<rootDir>/handlers/index.ts',
    '^serverless-distributed-processing/local$': '<rootDir>/tools/local/index.ts',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-function-logs.ts'],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Two workers on these 2-core machines: the local-run tests wait on emulators more than they compute.
  maxWorkers: 2,
  testTimeout: 60000,
};
