/**
 * Random values shaped by a zod schema, for fuzzing the API with calls that look like the renderer's: each method's
 * argument tuple from the contract gives objects with the right keys and roughly the right kinds of values, which
 * `mutate` then bends (a wrong type, a missing or extra key, prototype keys, huge numbers).
 */
import { z } from 'zod';

export type Random = () => number;

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Strings that reach past validation sometimes: ids the regexes accept, absolute paths, odd text. */
function sampleString(random: Random, paths: readonly string[]): string {
  const roll = random();
  if (roll < 0.4) {
    const length = 8 + Math.floor(random() * 30);
    return Array.from({ length }, () => pick(random, [...'0123456789abcdef-'])).join('');
  }
  if (roll < 0.7) return pick(random, paths);
  const length = Math.floor(random() * 24);
  return Array.from({ length }, () => String.fromCodePoint(Math.floor(random() * 0x2ff))).join('');
}

function sampleNumber(schema: z.ZodNumber, random: Random): number {
  const min = Number.isFinite(schema.minValue) ? schema.minValue! : -1e6;
  const max = Number.isFinite(schema.maxValue) ? schema.maxValue! : 1e6;
  // Small values mostly: a section index, an epoch count; the whole range sometimes.
  const span = random() < 0.8 ? Math.min(max - min, 64) : max - min;
  const value = min + random() * span;
  return schema.isInt ? Math.floor(value) : value;
}

export function sampleFromSchema(schema: z.ZodType, random: Random, paths: readonly string[]): unknown {
  const sample = (inner: z.ZodType): unknown => sampleFromSchema(inner, random, paths);
  if (schema instanceof z.ZodOptional) return random() < 0.3 ? undefined : sample(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodDefault) return random() < 0.3 ? undefined : sample(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodNullable) return random() < 0.3 ? null : sample(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodString) return sampleString(random, paths);
  if (schema instanceof z.ZodNumber) return sampleNumber(schema, random);
  if (schema instanceof z.ZodBoolean) return random() < 0.5;
  if (schema instanceof z.ZodEnum) return pick(random, schema.options);
  if (schema instanceof z.ZodLiteral) return pick(random, [...schema.values]);
  if (schema instanceof z.ZodTuple) return (schema.def.items as z.ZodType[]).map(sample);
  if (schema instanceof z.ZodArray) {
    return Array.from({ length: Math.floor(random() * 6) }, () => sample(schema.element as z.ZodType));
  }
  if (schema instanceof z.ZodUnion) return sample(pick(random, schema.options as z.ZodType[]));
  if (schema instanceof z.ZodObject) {
    const entries = Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, value]) => [
      key,
      sample(value),
    ]);
    return Object.fromEntries(entries.filter(([, value]) => value !== undefined));
  }
  return sampleJson(random, 2);
}

/** Any JSON value, nested up to `depth`. */
export function sampleJson(random: Random, depth: number): unknown {
  const roll = random();
  if (depth <= 0 || roll < 0.5) {
    return pick(random, [null, true, false, 0, -1, 2 ** 53, 1e308, -1e-308, '', 'x'.repeat(5000), '\u0000', '../..']);
  }
  if (roll < 0.75) return Array.from({ length: Math.floor(random() * 4) }, () => sampleJson(random, depth - 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(random() * 4) }, () => [
      pick(random, ['__proto__', 'constructor', 'toString', 'path', 'kind', '$bin', 'surveyId', 'x']),
      sampleJson(random, depth - 1),
    ]),
  );
}

/** A copy of `value` with one part bent: replaced by other JSON, a key dropped or added, a list cut. */
export function mutate(value: unknown, random: Random): unknown {
  const roll = random();
  if (Array.isArray(value) && value.length > 0 && roll < 0.5) {
    const copy = [...value];
    const index = Math.floor(random() * copy.length);
    copy[index] = mutate(copy[index], random);
    return random() < 0.2 ? copy.slice(0, index) : copy;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && roll < 0.6) {
    const copy: Record<string, unknown> = { ...value };
    const keys = Object.keys(copy);
    if (keys.length > 0 && random() < 0.5) {
      const key = pick(random, keys);
      if (random() < 0.5) delete copy[key];
      else copy[key] = mutate(copy[key], random);
    } else {
      Object.defineProperty(copy, pick(random, ['__proto__', 'constructor', 'extra']), {
        value: sampleJson(random, 2),
        enumerable: true,
      });
    }
    return copy;
  }
  return sampleJson(random, 2);
}
