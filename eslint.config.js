const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const jest = require('eslint-plugin-jest');

/** Imports that would break the layering (see the fences at the end). */
const FENCES = {
  // The local emulation is sealed: production code (handlers and lib outside lib/local) never
  // imports it, so nothing local-only can reach a deployed function.
  local: {
    group: ['**/local/*', '**/lib/local', './local', '../local'],
    message: 'lib/local is the local emulation: only scripts, tests and benchmarks import it.',
  },
  // lib/ never reaches up into handlers/ (the entries serverless.yml names).
  entries: {
    regex: '^(\\.\\./)+handlers/',
    message: 'handlers/ holds the entries serverless.yml names; import the factories from lib/.',
  },
  // Only an entry builds the services from the environment: importing a module never reads config.
  services: {
    group: ['**/services', './services', '../services'],
    importNames: ['getServices'],
    message: 'only an entry in handlers/ calls getServices(); take Services as a parameter.',
  },
  // The store keeps and fetches; the statistics read it (lib/stats imports lib/store, never back).
  storeStats: {
    group: ['../stats', '../stats/*'],
    message: 'lib/store knows nothing of lib/stats: what a finish adds is lib/jobs/job-statistics.ts.',
  },
  // The job's domain owns the store's port; the adapters (lib/store) implement it, never the reverse.
  jobsStore: {
    group: ['../store', '../store/*', '../../store', '../../store/*'],
    message:
      'lib/jobs owns the store port (lib/jobs/job-store.ts); an adapter is chosen where services are built.',
  },
  // The consumer speaks SQS; every decision and write about a job is the domain's (lib/jobs/attempt).
  consumerWrites: {
    group: [
      '../jobs/job-lifecycle',
      '../store',
      '../store/*',
      '../jobs/attempt/open-attempt',
      '../jobs/attempt/run-attempt',
      '../jobs/attempt/end-attempt',
    ],
    message:
      'lib/consumer hands a delivery to lib/jobs/attempt/deliver-job.ts and applies its outcome to SQS.',
  },
  // Authentication throws its own errors; lib/http answers them.
  authHttp: {
    group: ['../http', '../http/*'],
    message: 'lib/auth knows nothing of HTTP: throw an auth error (auth-errors.ts).',
  },
};

module.exports = tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.serverless/',
      '.esbuild/',
      '.cache/',
      '.data/',
      'coverage/',
      'test-artifacts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/no-focused-tests': 'error',
      'jest/no-standalone-expect': [
        'error',
        {
          additionalTestBlockFunctions: [
            'itWithBrowser',
            'itWithTmpfs',
            'itWithCgroups',
            'itWithContainment',
            'itWithForkEvents',
          ],
        },
      ],
      'jest/no-disabled-tests': 'error',
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
    },
  },
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  // The fences of the layering. A file gets one no-restricted-imports rule (a later config would
  // replace an earlier one's), so each set of files below lists every fence that applies to it.
  {
    files: ['handlers/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [FENCES.local] }] },
  },
  {
    files: ['lib/**/*.ts'],
    ignores: [
      'lib/local/**',
      'lib/auth/**',
      'lib/store/**',
      'lib/jobs/**',
      'lib/consumer/**',
      'lib/services.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [FENCES.local, FENCES.entries, FENCES.services] }],
    },
  },
  {
    files: ['lib/store/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [FENCES.local, FENCES.entries, FENCES.services, FENCES.storeStats] },
      ],
    },
  },
  {
    files: ['lib/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [FENCES.local, FENCES.entries, FENCES.services, FENCES.jobsStore] },
      ],
    },
  },
  {
    files: ['lib/consumer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [FENCES.local, FENCES.entries, FENCES.services, FENCES.consumerWrites] },
      ],
    },
  },
  {
    files: ['lib/auth/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [FENCES.local, FENCES.entries, FENCES.services, FENCES.authHttp] },
      ],
    },
  },
  {
    files: ['lib/local/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [FENCES.entries, FENCES.services] }] },
  },
  {
    // Benchmarks are command-line programs: printing is their job.
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
