const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const jest = require('eslint-plugin-jest');

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
        { additionalTestBlockFunctions: ['itWithBrowser', 'itWithTmpfs'] },
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
  {
    // The local emulation is sealed: production code (handlers and lib outside lib/local) never
    // imports it, so nothing local-only can reach a deployed function.
    files: ['handlers/**/*.ts', 'lib/**/*.ts'],
    ignores: ['lib/local/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/local/*', '**/lib/local', './local', '../local'],
              message: 'lib/local is the local emulation: only scripts, tests and benchmarks import it.',
            },
          ],
        },
      ],
    },
  },
  {
    // The layering: lib/ never reaches up into handlers/ (the entries), and only an entry builds the
    // services from the environment; everything else has them injected, so importing a module never
    // reads the configuration.
    files: ['lib/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['lib/services.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+handlers/',
              message: 'handlers/ holds the entries serverless.yml names; import the factories from lib/.',
            },
            {
              group: ['**/services', './services', '../services'],
              importNames: ['getServices'],
              message: 'only an entry in handlers/ calls getServices(); take Services as a parameter.',
            },
          ],
        },
      ],
    },
  },
  {
    // Benchmarks are command-line programs: printing is their job.
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
