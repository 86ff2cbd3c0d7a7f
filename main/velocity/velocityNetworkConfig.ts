/**
 * The config of the velocity ensemble (resources/configs/velocity/*.yaml), as data like the section models' configs
 * (`{ architecture, params }`, optionally under `model:`): the acquisition it takes, the velocity range it answers in,
 * and its members, each an InversionNet or a seismic transformer (the seed's network) with its own sizes.
 * Validated here because configs come from files and users.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ModelConfigError } from '../ml/modelConfig';
import { describeIssues } from '../common/validationIssues';

const positiveInt = z.number().int().positive();

const INVERSION_NET_MEMBER = z
  .object({
    architecture: z.literal('inversionnet'),
    params: z.object({ base: positiveInt.default(32) }).strict(),
  })
  .strict();

const SEISMIC_TRANSFORMER_MEMBER = z
  .object({
    architecture: z.literal('seismic_transformer'),
    params: z
      .object({
        /** Channels of the per-source encoder's levels; each level halves time and receivers. */
        encoder_channels: z.array(positiveInt).min(1).max(5).default([16, 32, 64]),
        /** Kernel sizes of the parallel convolutions of each multi-scale block. */
        scales: z.array(positiveInt).min(1).max(4).default([3, 5, 7]),
        /** Tokens per source, time x receivers, after the encoder's pooling (the count follows the pooled map). */
        token_grid: z.tuple([positiveInt, positiveInt]).default([8, 8]),
        embed_dim: positiveInt.default(128),
        heads: positiveInt.default(4),
        /** Cross-source attention blocks (every token of every source attends to all of them). */
        encoder_layers: positiveInt.default(2),
        /** Transformer decoder blocks: self-attention over the map's queries, cross-attention to the sources. */
        decoder_layers: positiveInt.default(4),
        /** The output map is decoded as query_grid x query_grid patches; it must divide output_size. */
        query_grid: positiveInt.default(10),
        mlp_ratio: positiveInt.default(2),
      })
      .strict()
      .refine((p) => p.embed_dim % p.heads === 0, 'embed_dim must be a multiple of heads'),
  })
  .strict();

export const VELOCITY_MEMBER_SCHEMA = z.discriminatedUnion('architecture', [
  INVERSION_NET_MEMBER,
  SEISMIC_TRANSFORMER_MEMBER,
]);
export type VelocityMemberConfig = z.infer<typeof VELOCITY_MEMBER_SCHEMA>;
export type SeismicTransformerParams = z.infer<typeof SEISMIC_TRANSFORMER_MEMBER>['params'];

export const VELOCITY_ENSEMBLE_SCHEMA = z
  .object({
    architecture: z.literal('velocity_ensemble'),
    params: z
      .object({
        /** Time samples per trace, receivers per shot and shots per sample of the input. */
        samples: positiveInt.default(1000),
        receivers: positiveInt.default(70),
        shots: positiveInt.default(5),
        /** Time samples averaged into one before the members (1 keeps them all; 4 turns 1000 ms at 1 ms into 250). */
        time_stride: positiveInt.default(1),
        /** Cells per side of the square velocity map. */
        output_size: positiveInt.default(70),
        /** The velocity range of the training data, m/s: InversionNet's tanh spans it, SoftPlus starts above min. */
        min_velocity: z.number().positive().default(1500),
        max_velocity: z.number().positive().default(4500),
        members: z.array(VELOCITY_MEMBER_SCHEMA).min(1).max(8),
      })
      .strict()
      .refine((p) => p.max_velocity > p.min_velocity, 'max_velocity must exceed min_velocity')
      .refine((p) => p.samples % p.time_stride === 0, 'time_stride must divide samples')
      .refine(
        (p) =>
          p.members.every((m) => m.architecture !== 'seismic_transformer' || p.output_size % m.params.query_grid === 0),
        'every seismic_transformer query_grid must divide output_size',
      ),
  })
  .strict();

export type VelocityEnsembleConfig = z.infer<typeof VELOCITY_ENSEMBLE_SCHEMA>;
export type VelocityEnsembleParams = VelocityEnsembleConfig['params'];

/**
 * A velocity network config from YAML or JSON text (optionally under `model:`), checked against `schema`; every problem
 * named with its field and `source` (the file).
 */
export function parseVelocityConfigText<T>(schema: z.ZodType<T>, text: string, source: string): T {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ModelConfigError(`${source}: not valid YAML/JSON (${error instanceof Error ? error.message : error})`);
  }
  const unwrapped = typeof value === 'object' && value !== null && 'model' in value ? value.model : value;
  const result = schema.safeParse(unwrapped);
  if (result.success) return result.data;
  throw new ModelConfigError(`${source}: ${describeIssues(result.error.issues)}`);
}

export function parseVelocityEnsembleConfigText(text: string, source: string): VelocityEnsembleConfig {
  return parseVelocityConfigText(VELOCITY_ENSEMBLE_SCHEMA, text, source);
}

export async function readVelocityEnsembleConfig(filePath: string): Promise<VelocityEnsembleConfig> {
  return parseVelocityEnsembleConfigText(await readFile(filePath, 'utf8'), filePath);
}
