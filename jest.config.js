/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is `npm run typecheck`'s job; tests only transpile, which keeps them fast.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  reporters: ['default', '<rootDir>/test/support/plain-summary-reporter.js'],
  moduleNameMapper: {
    '^keystage$': '<rootDir>/lib/index.ts',
    '^keystage/local$': '<rootDir>/lib/local/index.ts',
    '^keystage/audit$': '<rootDir>/lib/audit/index.ts',
    '^keystage/crypto$': '<rootDir>/lib/crypto/index.ts',
    '^keystage/distribution$': '<rootDir>/lib/distribution/index.ts',
    '^keystage/organise$': '<rootDir>/lib/organise/index.ts',
    '^keystage/transfer$': '<rootDir>/lib/transfer/index.ts',
    '^keystage/injection$': '<rootDir>/lib/injection/index.ts',
  },
  setupFiles: ['<rootDir>/test/support/aws-env.ts'],
  // A throwaway PostgreSQL cluster with password authentication for the rotation suites.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  // Property and statistics suites draw 10^5..10^6 samples; give them room on a shared 2-core machine.
  testTimeout: 60_000,
  // One worker on this 2-core machine; what each suite leaves behind (modules, SDK clients, a
  // browser's buffers) would otherwise pile up in it over 300 suites and slow every collection,
  // so the worker is replaced once it holds this much after a suite.
  workerIdleMemoryLimit: '768MB',
};
