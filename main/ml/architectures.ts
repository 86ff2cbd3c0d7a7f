/**
 * The architecture registry: config (data) -> model. Every model is a tfjs-layers functional model, so it saves and loads
 * in the standard tfjs format (model.json + binary weights), which is what the model registry stores.
 *
 * Data layout, everywhere in main/ml: NHWC = [batch, samples (time), traces, channels]. Channels-last is the layout every
 * tfjs backend implements for conv2d/pooling (wasm and webgpu have no NCHW conv), and putting time first matches how
 * sections are stored (trace-major would need a transpose per patch). Channel 0 is amplitude; for interpolation channel 1
 * is the live-trace mask (1 = recorded, 0 = missing).
 *
 * How the later architectures fit BuiltModel without changing it:
 * - VAE (latent 256, beta): trainingModel outputs [reconstruction, mu, logVariance]; extraLoss = beta * KL(mu, logVar).
 * - GAN (U-Net generator + PatchGAN, adversarial weight 0.01): model = generator, parts.discriminator = PatchGAN,
 *   extraLoss = 0.01 * adversarial term through parts.discriminator; the discriminator's own step uses parts.
 * - PINN (backbone + acoustic wave-equation residual, weight 0.1): model = backbone, extraLoss = 0.1 * residual of the
 *   prediction under the acoustic wave equation.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Architecture, ModelConfig } from './modelConfig';
import { buildAutoencoder, latentL1Penalty } from './models/autoencoder';
import { buildSpectrogramAutoencoder } from './models/spectrogramAutoencoder';
import { buildUnet } from './models/unet';

/** What the training step hands an architecture's extra loss: the outputs after the first, plus inputs and prediction. */
export interface ExtraLossContext {
  inputs: tf.Tensor;
  prediction: tf.Tensor;
  /** trainingModel's outputs after the first (the autoencoder's latent, a VAE's mu and log-variance). */
  auxiliary: readonly tf.Tensor[];
}

export interface BuiltModel {
  /** section -> reconstruction: inference runs it and the registry saves it. */
  model: tfl.LayersModel;
  /** Shares model's layers (same weights); outputs [reconstruction, ...auxiliary]. It is `model` when there are none. */
  trainingModel: tfl.LayersModel;
  /** Loss terms the architecture adds to the data loss (latent penalty, KL term, adversarial or physics residual). */
  extraLoss?: (context: ExtraLossContext) => tf.Scalar;
  /** Further networks that train alongside the model (a GAN's discriminator). */
  parts?: Readonly<Record<string, tfl.LayersModel>>;
}

type ParamsOf<A extends Architecture> = Extract<ModelConfig, { architecture: A }>['params'];
type ModelBuilder<A extends Architecture> = (params: ParamsOf<A>) => BuiltModel;

/** One builder per architecture of the config schema; a schema member without a builder does not compile. */
export const ARCHITECTURES: { readonly [A in Architecture]: ModelBuilder<A> } = {
  unet: (params) => {
    const model = buildUnet(params);
    return { model, trainingModel: model };
  },
  autoencoder: (params) => {
    const { model, withLatent } = buildAutoencoder(params);
    return {
      model,
      trainingModel: withLatent,
      extraLoss: ({ auxiliary: [latent] }) => {
        if (latent === undefined) throw new Error('autoencoder: the training model did not return the latent');
        return latentL1Penalty(latent, params.latent_l1);
      },
    };
  },
  spectrogram_autoencoder: (params) => {
    const model = buildSpectrogramAutoencoder(params);
    return { model, trainingModel: model };
  },
};

export function buildModel(config: ModelConfig): BuiltModel {
  // The mapped type pairs each architecture with its params; TypeScript cannot follow that through a union index.
  const builder = ARCHITECTURES[config.architecture] as ModelBuilder<Architecture>;
  return builder(config.params as ParamsOf<Architecture>);
}
