const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The example app imports the package by name, as users do; tests run it against the sources (tsconfig.json's paths).
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
  // Type checking is `tsc --noEmit` in `npm test`; ts-jest only transpiles, since tsconfig.json sets isolatedModules.
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-function-logs.ts', '<rootDir>/test/support/quiet-bundling.ts', '<rootDir>/test/support/skip-template-validation.ts',
    '<rootDir>/test/support/esbuild-without-threads.ts'],
  snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  testSequencer: '<rootDir>/test/support/slow-first-sequencer.js',
  // Three workers on these 2-core machines: with two, a fifth of the CPU stayed idle while the local-run tests waited on
  // visibility timeouts, retries and child processes (jest 285 s with 2 workers, 230 s with 3, 257 s with 4, 30 Nov).
  maxWorkers: 3,
  testTimeout: 60000,
};
