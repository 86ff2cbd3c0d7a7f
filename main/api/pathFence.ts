/**
 * The one check every path argument of the API goes through (the dispatcher applies it to each argument the contract
 * marks with `readPath()` / `writePath()`): the path is resolved to its real path, symlinks and `..` included, and must
 * lie inside the data roots, or be one the host vouches for (a file the user picked in the desktop app's native
 * dialog). The handler then receives the real path, so a symlink swapped in afterwards is not followed.
 */
import { z } from 'zod';
import { pathArguments, PromethiumError, type PathAccess } from '../../preload/contract';
import { realTarget, rootHolding } from '../project/dataRoots';

export interface PathFence {
  /** The real path to use in place of `requested`; throws a PromethiumError when the user may not reach it. */
  admit(requested: string, access: PathAccess): Promise<string>;
}

/** A fence at the data roots; `chosenByUser` lets through real paths the host's own dialogs returned. */
export function dataRootsFence(roots: string[], chosenByUser: (real: string) => boolean = () => false): PathFence {
  return {
    async admit(requested, access) {
      const real = await realTarget(requested, access);
      if (chosenByUser(real) || (await rootHolding(roots, real))) return real;
      throw new PromethiumError(
        'invalid-argument',
        `${requested} is outside the data folders (${roots.join(', ')}); ` +
          'the server administrator adds folders with PROMETHIUM_DATA_DIRS',
      );
    },
  };
}

/** Where a path sits in a method's argument list: tuple indices and object keys, e.g. [0, 'path']. */
export interface PathArgument {
  at: (number | string)[];
  access: PathAccess;
}

/** The path arguments a schema marks, found through tuples, objects, optional and default wrappers. */
export function findPathArguments(schema: z.ZodType, at: (number | string)[] = []): PathArgument[] {
  const marked = pathArguments.get(schema);
  if (marked) return [{ at, access: marked.access }];
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) {
    return findPathArguments(schema.unwrap() as z.ZodType, at);
  }
  if (schema instanceof z.ZodTuple) {
    return (schema.def.items as z.ZodType[]).flatMap((item, index) => findPathArguments(item, [...at, index]));
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, value]) =>
      findPathArguments(value, [...at, key]),
    );
  }
  return [];
}

/** Replaces each path argument present in `args` (already validated) by the real path the fence admits. */
export async function admitPathArguments(fence: PathFence, found: PathArgument[], args: unknown[]): Promise<void> {
  for (const { at, access } of found) {
    const key = at.at(-1)!;
    let holder: unknown = args;
    for (const step of at.slice(0, -1)) holder = (holder as Record<string | number, unknown> | undefined)?.[step];
    const container = holder as Record<string | number, unknown> | undefined;
    const value = container?.[key];
    if (typeof value === 'string') container![key] = await fence.admit(value, access);
  }
}
