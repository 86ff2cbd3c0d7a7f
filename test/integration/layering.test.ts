/**
 * The layer rule of eslint.config.mjs, run through ESLint's own API on the fixture tree under ./layering: its
 * main/signal/ file imports main/ml/ (upward: must fail) and its main/ml/ file imports main/signal/ (downward: must pass).
 * ESLint runs from that tree with the repository's config, so the config's `main/<layer>/` globs match the fixtures.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const configFile = path.resolve('eslint.config.mjs');
const eslint = new ESLint({ cwd: path.resolve('test/integration/layering'), overrideConfigFile: configFile });

async function importErrors(file: string): Promise<string[]> {
  const [result] = await eslint.lintFiles([file]);
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the layer rule', () => {
  it('fails an import that runs up a layer', async () => {
    expect(await importErrors('main/signal/importsUpward.ts')).toEqual([
      "no-restricted-imports: '../ml/corruption' import is restricted from being used by a pattern. " +
        'main/signal/ may import only the layers below it (MAIN_LAYERS in eslint.config.mjs).',
    ]);
  });

  it('passes an import that runs down', async () => {
    expect(await importErrors('main/ml/importsDownward.ts')).toEqual([]);
  });

  it('places every folder of main/ in the layer order', async () => {
    const { MAIN_LAYERS } = (await import(pathToFileURL(configFile).href)) as { MAIN_LAYERS: string[][] };
    const layered = new Set(MAIN_LAYERS.flat());
    const folders = readdirSync('main', { withFileTypes: true }).filter((entry) => entry.isDirectory());
    expect(folders.map((folder) => folder.name).filter((name) => !layered.has(name))).toEqual([]);
  });
});
