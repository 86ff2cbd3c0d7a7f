/**
 * Model configurations as data, shaped like the seeds' YAML (`{ architecture, params }`, optionally under a top-level
 * `model:` key), parsed from JSON or YAML and validated here because they come from files and users.
 *
 * Adding an architecture (VAE, GAN, PINN) is one more member of MODEL_CONFIG_SCHEMA plus its builder in architectures.ts;
 * the registry's type makes a missing builder a compile error.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const positiveInt = z.number().int().positive();
const channelList = z.array(positiveInt).min(1).max(6);
const dropoutRate = z.number().min(0).lt(1);

export const UNET_PARAMS_SCHEMA = z
  .object({
    /** 1 (amplitudes) or 2 (amplitudes + live-trace mask, for trace interpolation). */
    in_channels: positiveInt.default(1),
    out_channels: positiveInt.default(1),
    /** Channels of each encoder level; depth = features.length, so patches must be multiples of 2^depth. */
    features: channelList.default([64, 128, 256, 512]),
    bottleneck: positiveInt.default(1024),
    dropout: dropoutRate.default(0.1),
    variant: z.enum(['plain', 'attention', 'residual']).default('plain'),
    /** 'transpose': 2x2 stride-2 transposed conv; 'upsample': nearest-neighbour x2 then conv3x3 (no checkerboard). */
    upsampling: z.enum(['transpose', 'upsample']).default('transpose'),
  })
  .strict();

export const AUTOENCODER_PARAMS_SCHEMA = z
  .object({
    in_channels: positiveInt.default(1),
    out_channels: positiveInt.default(1),
    /** Channels of the stride-2 encoder convs; the decoder mirrors them with transposed convs. */
    features: channelList.default([64, 128, 256]),
    bottleneck: positiveInt.default(512),
    /** Weight of the L1 penalty on the bottleneck activations (mean absolute value), added to the data loss. */
    latent_l1: z.number().min(0).default(1e-4),
  })
  .strict();

export const SPECTROGRAM_AUTOENCODER_PARAMS_SCHEMA = z
  .object({
    /** Components of the recording (E, N, Z): one spectrogram each, as channels. */
    in_channels: positiveInt.default(3),
    /** Spectrograms out: as many as in for a reconstruction. */
    out_channels: positiveInt.default(3),
    /** Channels of the stride-2 encoder convs; the decoder mirrors them with stride-2 transposed convs. */
    features: channelList.default([32, 64, 128, 256]),
    /**
     * Frequency bins x time frames of the spectrograms: the decoder's output is resized to it (tfjs resizes to a fixed
     * size). Training sets it from its windows; the default is the seed's shape (nperseg 256 at 100 Hz, 70 s).
     */
    input_size: z.tuple([positiveInt, positiveInt]).default([129, 110]),
  })
  .strict();

export const MODEL_CONFIG_SCHEMA = z.discriminatedUnion('architecture', [
  z
    .object({ architecture: z.literal('unet'), params: UNET_PARAMS_SCHEMA.default(UNET_PARAMS_SCHEMA.parse({})) })
    .strict(),
  z
    .object({
      architecture: z.literal('autoencoder'),
      params: AUTOENCODER_PARAMS_SCHEMA.default(AUTOENCODER_PARAMS_SCHEMA.parse({})),
    })
    .strict(),
  z
    .object({
      architecture: z.literal('spectrogram_autoencoder'),
      params: SPECTROGRAM_AUTOENCODER_PARAMS_SCHEMA.default(SPECTROGRAM_AUTOENCODER_PARAMS_SCHEMA.parse({})),
    })
    .strict(),
]);

export type ModelConfig = z.infer<typeof MODEL_CONFIG_SCHEMA>;
export type Architecture = ModelConfig['architecture'];
export type UnetParams = z.infer<typeof UNET_PARAMS_SCHEMA>;
export type AutoencoderParams = z.infer<typeof AUTOENCODER_PARAMS_SCHEMA>;
export type SpectrogramAutoencoderParams = z.infer<typeof SPECTROGRAM_AUTOENCODER_PARAMS_SCHEMA>;

export class ModelConfigError extends Error {
  readonly apiCode = 'invalid-argument';
}

/** Validates an already-parsed config; accepts the seeds' `{ model: { architecture, params } }` wrapper too. */
export function parseModelConfig(value: unknown, source = 'model config'): ModelConfig {
  const unwrapped = isRecord(value) && 'model' in value ? value.model : value;
  const result = MODEL_CONFIG_SCHEMA.safeParse(unwrapped);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  throw new ModelConfigError(`${source}: ${problems.join('; ')}`);
}

/** Parses JSON or YAML text (YAML is a superset of JSON, so one parser reads both). */
export function parseModelConfigText(text: string, source = 'model config'): ModelConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ModelConfigError(`${source}: not valid YAML/JSON (${error instanceof Error ? error.message : error})`);
  }
  return parseModelConfig(value, source);
}

export async function readModelConfigFile(filePath: string): Promise<ModelConfig> {
  return parseModelConfigText(await readFile(filePath, 'utf8'), filePath);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
