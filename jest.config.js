/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
    '\\.html$': '<rootDir>/test/setup/text-transform.js',
  },
  // middy and p-queue ship ESM only: compile them to CommonJS with the tests.
  transformIgnorePatterns: ['/node_modules/(?!(p-queue|p-timeout|eventemitter3|@middy)/)'],
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  testTimeout: 30_000,
  // V8's own coverage: no instrumentation of the code under test, so processes started from it (the
  // process spawner, the local stack's parts) run the same code as without coverage.
  coverageProvider: 'v8',
  collectCoverageFrom: ['lib/**/*.ts', 'handlers/**/*.ts', '!lib/local/listen-backlog.js'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageDirectory: '<rootDir>/.cache/coverage',
};
