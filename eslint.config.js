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
    // Benchmarks are command-line programs: printing is their job.
    files: ['bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
