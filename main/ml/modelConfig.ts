/**
 * Model configurations as data, shaped like the seeds' YAML (`{ architecture, params }`, optionally under a top-level
 * `model:` key), parsed from JSON or YAML and validated here because they come from files and users.
 *
 * Adding an architecture is one more member of MODEL_CONFIG_SCHEMA plus its builder in architectures.ts; the registry's
 * type makes a missing builder a compile error. The GAN and the PINN nest the U-Net's params (generator, backbone), so
 * code that needs the network's shape (levels, channels) asks networkShape rather than reading params directly.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../common/validationIssues';

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
     * Frequency bins x time frames of the spectrograms: the decoder's output is cropped to it (a fixed size in tfjs).
     * Training sets it from its windows; the default is the seed's shape (nperseg 256 at 100 Hz, 70 s).
     */
    input_size: z.tuple([positiveInt, positiveInt]).default([129, 110]),
  })
  .strict();

export const VAE_PARAMS_SCHEMA = z
  .object({
    in_channels: positiveInt.default(1),
    out_channels: positiveInt.default(1),
    /** Channels of the stride-2 encoder convs; the decoder mirrors them with transposed convs. */
    encoder_features: channelList.default([64, 128, 256]),
    /** Channels of the latent map (one Gaussian per channel, per position of the map at 1/2^levels resolution). */
    latent_dim: positiveInt.default(256),
    /** Weight of the KL divergence to the standard normal prior, in nats per output sample, next to the data loss. */
    beta: z.number().min(0).default(1),
  })
  .strict();

export const PATCHGAN_PARAMS_SCHEMA = z
  .object({
    /** Channels of the 4x4 convs (strides 2, 2, 2, 1 for four of them: pix2pix's 70 x 70 receptive field). */
    features: channelList.default([64, 128, 256, 512]),
  })
  .strict();

/** The seeds' nested `{ architecture, params }` of a GAN's two networks; both have only one architecture so far. */
const GENERATOR_SCHEMA = z
  .object({
    architecture: z.literal('unet').default('unet'),
    params: UNET_PARAMS_SCHEMA.default(UNET_PARAMS_SCHEMA.parse({})),
  })
  .strict();
const DISCRIMINATOR_SCHEMA = z
  .object({
    architecture: z.literal('patchgan').default('patchgan'),
    params: PATCHGAN_PARAMS_SCHEMA.default(PATCHGAN_PARAMS_SCHEMA.parse({})),
  })
  .strict();

export const GAN_PARAMS_SCHEMA = z
  .object({
    generator: GENERATOR_SCHEMA.default(GENERATOR_SCHEMA.parse({})),
    discriminator: DISCRIMINATOR_SCHEMA.default(DISCRIMINATOR_SCHEMA.parse({})),
    /** Weight of the generator's adversarial term next to the data (reconstruction) loss. */
    adversarial_weight: z.number().min(0).default(0.01),
  })
  .strict();

export const PINN_PARAMS_SCHEMA = z
  .object({
    backbone: z.literal('unet').default('unet'),
    backbone_params: UNET_PARAMS_SCHEMA.default(UNET_PARAMS_SCHEMA.parse({})),
    /** Weight of the wave-equation residual next to the data loss. */
    physics_weight: z.number().min(0).default(0.1),
    /** The acoustic wave equation, in its local plane-wave form on a section (physics/planeWaveResidual.ts). */
    wave_equation: z.literal('acoustic').default('acoustic'),
    /** Half-width in samples and traces of the window the local slopes are averaged over (structure tensor). */
    slope_window: positiveInt.default(4),
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
  z.object({ architecture: z.literal('vae'), params: VAE_PARAMS_SCHEMA.default(VAE_PARAMS_SCHEMA.parse({})) }).strict(),
  z.object({ architecture: z.literal('gan'), params: GAN_PARAMS_SCHEMA.default(GAN_PARAMS_SCHEMA.parse({})) }).strict(),
  z
    .object({ architecture: z.literal('pinn'), params: PINN_PARAMS_SCHEMA.default(PINN_PARAMS_SCHEMA.parse({})) })
    .strict(),
]);

export type ModelConfig = z.infer<typeof MODEL_CONFIG_SCHEMA>;
export type Architecture = ModelConfig['architecture'];
export type UnetParams = z.infer<typeof UNET_PARAMS_SCHEMA>;
export type AutoencoderParams = z.infer<typeof AUTOENCODER_PARAMS_SCHEMA>;
export type SpectrogramAutoencoderParams = z.infer<typeof SPECTROGRAM_AUTOENCODER_PARAMS_SCHEMA>;
export type VaeParams = z.infer<typeof VAE_PARAMS_SCHEMA>;
export type PatchGanParams = z.infer<typeof PATCHGAN_PARAMS_SCHEMA>;
export type GanParams = z.infer<typeof GAN_PARAMS_SCHEMA>;
export type PinnParams = z.infer<typeof PINN_PARAMS_SCHEMA>;

/** What training and inference need to know of the network that maps a section to its reconstruction. */
export interface NetworkShape {
  /** Stride-2 downsamplings: patches must be multiples of 2^levels samples and traces. */
  levels: number;
  inChannels: number;
  outChannels: number;
}

export function networkShape(config: ModelConfig): NetworkShape {
  const shapeOf = (features: readonly number[], params: { in_channels: number; out_channels: number }) => ({
    levels: features.length,
    inChannels: params.in_channels,
    outChannels: params.out_channels,
  });
  switch (config.architecture) {
    case 'unet':
    case 'autoencoder':
    case 'spectrogram_autoencoder':
      return shapeOf(config.params.features, config.params);
    case 'vae':
      return shapeOf(config.params.encoder_features, config.params);
    case 'gan':
      return shapeOf(config.params.generator.params.features, config.params.generator.params);
    case 'pinn':
      return shapeOf(config.params.backbone_params.features, config.params.backbone_params);
  }
}

export class ModelConfigError extends Error {
  readonly apiCode = 'invalid-argument';
}

/** Validates an already-parsed config; accepts the seeds' `{ model: { architecture, params } }` wrapper too. */
export function parseModelConfig(value: unknown, source = 'model config'): ModelConfig {
  const unwrapped = isRecord(value) && 'model' in value ? value.model : value;
  const result = MODEL_CONFIG_SCHEMA.safeParse(unwrapped);
  if (result.success) return result.data;
  throw new ModelConfigError(`${source}: ${describeIssues(result.error.issues)}`);
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
