/**
 * The bundled model configs (resources/configs/*.yaml): the architectures the "Train model" dialog and
 * `promethium train` offer by name. Found next to the code in a checkout (dist/ or main/ml/ both sit two levels or
 * fewer below the repository) and in the app's resources folder when packaged.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readModelConfigFile, type ModelConfig } from './modelConfig';

function candidateDirs(): string[] {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const upward = [1, 2, 3].map((levels) =>
    path.join(__dirname, ...Array<string>(levels).fill('..'), 'resources', 'configs'),
  );
  return [...(packaged ? [path.join(packaged, 'configs')] : []), ...upward];
}

export function configsDir(): string {
  const found = candidateDirs().find((dir) => existsSync(dir));
  if (!found) throw new Error(`the bundled model configs are missing (looked in ${candidateDirs().join(', ')})`);
  return found;
}

export function bundledConfigNames(): string[] {
  return readdirSync(configsDir())
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => name.slice(0, -'.yaml'.length))
    .sort();
}

/** A bundled config by name (e.g. 'unet-small'), or a config file by path. */
export async function resolveModelConfig(nameOrPath: string): Promise<ModelConfig> {
  if (bundledConfigNames().includes(nameOrPath))
    return readModelConfigFile(path.join(configsDir(), `${nameOrPath}.yaml`));
  if (existsSync(nameOrPath)) return readModelConfigFile(nameOrPath);
  throw Object.assign(new Error(`no model config '${nameOrPath}' (bundled: ${bundledConfigNames().join(', ')})`), {
    apiCode: 'invalid-argument',
  });
}
