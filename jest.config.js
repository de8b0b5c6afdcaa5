/**
 * Three layers, as jest projects: `unit` needs no Java, no port and no child stack (npm run
 * test:unit); `integration` runs against real ElasticMQ and dynalite, started once by its global
 * setup, and real processes; `e2e` starts whole stacks (npm start, serverless offline, serverless
 * package). `npm test` runs all three, as CI does; a fourth, `deployed`, runs the packaged artifact
 * under the Lambda runtime against moto (npm run test:deployed, run by CI after them).
 */
const INTEGRATION = [
  'test/faults/callbacks-queue-down.test.ts',
  'test/faults/spawner-killed.test.ts',
  'test/lib/callbacks/deliver-callbacks.test.ts',
  'test/lib/callbacks/post-callback.test.ts',
  'test/lib/consumer/run-jobs-handler.test.ts',
  'test/lib/http/handlers/jobs.test.ts',
  'test/lib/http/handlers/submit-job.test.ts',
  'test/lib/jobs/attempt/deliver-job.test.ts',
  'test/lib/jobs/job-lifecycle.test.ts',
  'test/lib/jobs/reconcile-dead-letters.test.ts',
  'test/lib/jobs/resend-unfinished.test.ts',
  'test/lib/local/event-source-mapping.test.ts',
  'test/lib/local/gateway-errors.test.ts',
  'test/lib/local/listen-backlog.test.ts',
  'test/lib/local/serverless-settings.test.ts',
  'test/lib/local/stack-failures.test.ts',
  'test/lib/queue/job-queue.test.ts',
  'test/lib/schedules/fire-schedules.test.ts',
  'test/lib/http/handlers/schedules.test.ts',
  'test/lib/stats/**/*.test.ts',
  'test/lib/store/**/*.test.ts',
];
const E2E = ['test/e2e/**/*.test.ts', 'test/deploy/**/*.test.ts'];
/** The packaged artifact under the Lambda runtime against moto (npm run test:deployed; not in npm test). */
const DEPLOYED = ['test/deployed/**/*.test.ts'];

/** @type {import('jest').Config} */
const base = {
  testEnvironment: 'node',
  rootDir: __dirname,
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
};

const withServers = {
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
};

const at = (patterns) => patterns.map((p) => `<rootDir>/${p}`);

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [...at(INTEGRATION), ...at(E2E), ...at(DEPLOYED)].map((p) =>
        p.replace(/\*\*\/\*\.test\.ts$/, '').replace(/\./g, '\\.'),
      ),
    },
    { ...base, ...withServers, displayName: 'integration', testMatch: at(INTEGRATION) },
    { ...base, ...withServers, displayName: 'e2e', testMatch: at(E2E) },
    { ...base, displayName: 'deployed', testMatch: at(DEPLOYED), testTimeout: 60_000 },
  ],
  reporters: ['default', '<rootDir>/test/setup/summary-reporter.js'],
  testTimeout: 30_000,
  // V8's own coverage: no instrumentation of the code under test, so processes started from it (the
  // process spawner, the local stack's parts) run the same code as without coverage.
  coverageProvider: 'v8',
  collectCoverageFrom: ['lib/**/*.ts', 'handlers/**/*.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageDirectory: '<rootDir>/.cache/coverage',
};
