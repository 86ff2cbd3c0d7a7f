// Lint, including the process layering of DESIGN.md (after VS Code's layer rules):
// - only main/app/ (and the preload bridge) import 'electron': services run and are tested in plain Node;
// - renderer/ imports no Node modules and no main/ code: it is an untrusted web page that talks only through the contract.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'test-results/', 'coverage/', '.gpu/', '.gl/', '.whl/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['main/**/*.ts', 'scripts/**/*.mjs', 'test/**/*.ts', 'bin/**/*.cjs', '*.config.*'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['bin/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only main/app/ may import electron (DESIGN.md: layering).' }] },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to main only through window.promethium.' },
            ...nodeBuiltins.map((name) => ({ name, message: 'The renderer is a web page: no Node modules.' })),
          ],
          patterns: [
            { group: ['**/main/**'], message: 'The renderer imports no main-process code; use the contract.' },
          ],
        },
      ],
    },
  },
);
