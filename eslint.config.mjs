// Lint, including the layering of DESIGN.md (after VS Code's layer rules):
// - main/ is a stack of layers (MAIN_LAYERS, top first): a folder imports only folders below it, never one above it or
//   beside it; preload/contract.ts (types and zod schemas), wire.ts and channels.ts sit under every layer;
// - only main/app/ (and the preload bridge) import 'electron': services run and are tested in plain Node;
// - renderer/ imports no Node modules and no main/ code but main/common/: it is an untrusted web page that talks only
//   through the contract. main/common/ is pure TypeScript: tsconfig.node.json (no DOM) and tsconfig.dom.json (no Node
//   types) both compile it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/**
 * The layers of main/, top first; folders in one row are peers and do not import each other. Folders not written
 * yet (velocity, passive, wave) hold their place so that new work lands in the right layer.
 */
export const MAIN_LAYERS = [
  ['app'], // Electron: windows, menus, IPC
  ['cli'], // the `promethium` command (starts the server for `serve`)
  ['server'], // browser/remote mode host
  ['api'], // the handler table of preload/contract.ts
  ['workflows'], // the services behind the API: survey library, reconstruction, volumes, training
  ['jobs'], // job runner in the main process, the compute process's host, the event bus
  ['cluster'], // the same compute jobs handed to a Slurm cluster (sbatch arrays, squeue/sacct, scancel)
  ['compute'], // the jobs as they run in the compute process
  ['velocity', 'passive'], // velocity model building; continuous recordings (both train and run networks with ml)
  ['ml'], // tfjs models, training, inference
  ['processing'], // classical methods: f-x, f-k, median, bandpass, POCS
  ['survey'], // survey geometry and the chunked cache
  ['project'], // the SQLite project database
  ['synth'], // synthetic seismic and noise
  ['wave'], // wave-equation modelling
  ['segy'], // the SEG-Y codec
  ['files'], // files written whole or not at all (temporary, fsync, rename, fsync of the folder)
  ['threads'], // worker threads that owe answers by request id (inference, compute and view threads build on it)
  ['signal'], // signal-processing building blocks: metrics, masks, FFT, windows, spectra
  ['common'], // pure TypeScript shared with the renderer
];

const electronOutsideApp = { name: 'electron', message: 'Only main/app/ may import electron (DESIGN.md: layering).' };

/** An import specifier that leaves the importing folder (`../x`, `../../x/y`) and lands in one of `folders`. */
function intoFolders(folders) {
  return `^(\\.\\./)+(${folders.join('|')})(/|$)`;
}

/** One no-restricted-imports rule per main/ folder: everything above it and beside it is out of bounds. */
function layerRules() {
  return MAIN_LAYERS.flatMap((row, rank) => {
    const above = MAIN_LAYERS.slice(0, rank).flat();
    return row.map((folder) => {
      const outOfBounds = [...above, ...row.filter((peer) => peer !== folder)];
      const patterns = [
        {
          regex: intoFolders(outOfBounds),
          message: `main/${folder}/ may import only the layers below it (MAIN_LAYERS in eslint.config.mjs).`,
        },
        { regex: 'preload/bridge', message: 'main/ imports the contract, never the preload bridge.' },
      ];
      const paths = folder === 'app' ? [] : [electronOutsideApp];
      if (folder === 'common') {
        paths.push(
          ...nodeBuiltins.map((name) => ({ name, message: 'main/common/ is shared with the renderer: no Node.' })),
        );
      }
      return {
        files: [`main/${folder}/**/*.ts`],
        rules: {
          'no-restricted-imports': ['error', { paths, patterns: outOfBounds.length ? patterns : patterns.slice(1) }],
        },
      };
    });
  });
}

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
    files: ['main/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'Program', message: 'Every main/ file lives in a layer folder.' }],
    },
  },
  ...layerRules(),
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
            {
              regex: '(^|/)main/(?!common/)',
              message: 'The renderer imports no main-process code but main/common/; use the contract.',
            },
          ],
        },
      ],
    },
  },
);
