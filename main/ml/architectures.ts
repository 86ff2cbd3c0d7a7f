/**
 * The architecture registry: config (data) -> model. Every model is a tfjs-layers functional model, so it saves and loads
 * in the standard tfjs format (model.json + binary weights), which is what the model registry stores.
 *
 * Data layout, everywhere in main/ml: NHWC = [batch, samples (time), traces, channels]. Channels-last is the layout every
 * tfjs backend implements for conv2d/pooling (wasm and webgpu have no NCHW conv), and putting time first matches how
 * sections are stored (trace-major would need a transpose per patch). Channel 0 is amplitude; for interpolation channel 1
 * is the live-trace mask (1 = recorded, 0 = missing).
 *
 * How the generative and physics families fit BuiltModel:
 * - VAE: trainingModel outputs [reconstruction, mean, std] of the latent; extraLoss = beta * KL (models/vae.ts).
 * - GAN: model = the U-Net generator; `discriminator` = PatchGAN, trained in alternating updates by the trainer;
 *   extraLoss = adversarial_weight * the generator's adversarial term (models/patchGan.ts).
 * - PINN: model = the backbone; extraLoss = physics_weight * the plane-wave residual of the prediction along the
 *   input's local slopes (physics/planeWaveResidual.ts).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Architecture, ModelConfig } from './modelConfig';
import { buildAutoencoder, latentL1Penalty } from './models/autoencoder';
import { buildSpectrogramAutoencoder } from './models/spectrogramAutoencoder';
import { buildPatchGan, discriminatorLoss, generatorAdversarialLoss } from './models/patchGan';
import { buildUnet } from './models/unet';
import { buildVae, klPenalty } from './models/vae';
import { physicsLoss } from './physics/planeWaveResidual';

/** What the training step hands an architecture's extra loss: the outputs after the first, plus inputs and prediction. */
export interface ExtraLossContext {
  inputs: tf.Tensor;
  prediction: tf.Tensor;
  /** trainingModel's outputs after the first (the autoencoder's latent, a VAE's latent mean and std). */
  auxiliary: readonly tf.Tensor[];
}

export interface BuiltModel {
  /** section -> reconstruction: inference runs it and the registry saves it. */
  model: tfl.LayersModel;
  /** Shares model's layers (same weights); outputs [reconstruction, ...auxiliary]. It is `model` when there are none. */
  trainingModel: tfl.LayersModel;
  /** Loss terms the architecture adds to the data loss (latent penalty, KL term, adversarial or physics residual). */
  extraLoss?: (context: ExtraLossContext) => tf.Scalar;
  /** A GAN's discriminator, trained against the model in alternating updates and checkpointed with it. */
  discriminator?: Discriminator;
}

export interface Discriminator {
  network: tfl.LayersModel;
  /** Its loss on one batch: the clean targets against the model's predictions for the same inputs. */
  loss: (inputs: tf.Tensor, real: tf.Tensor, fake: tf.Tensor) => tf.Scalar;
}

/** Auxiliary output `index`, which `architecture`'s training model must return. */
function auxiliaryOutput(auxiliary: readonly tf.Tensor[], index: number, architecture: string): tf.Tensor {
  const output = auxiliary[index];
  if (output === undefined) throw new Error(`${architecture}: the training model returned too few outputs`);
  return output;
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
      extraLoss: ({ auxiliary }) => latentL1Penalty(auxiliaryOutput(auxiliary, 0, 'autoencoder'), params.latent_l1),
    };
  },
  vae: (params) => {
    const { model, withPosterior } = buildVae(params);
    return {
      model,
      trainingModel: withPosterior,
      extraLoss: ({ prediction, auxiliary }) =>
        klPenalty(
          auxiliaryOutput(auxiliary, 0, 'vae'),
          auxiliaryOutput(auxiliary, 1, 'vae'),
          prediction.size,
          params.beta,
        ),
    };
  },
  gan: (params) => {
    const generator = params.generator.params;
    const model = buildUnet(generator);
    const network = buildPatchGan(params.discriminator.params, generator.in_channels, generator.out_channels);
    return {
      model,
      trainingModel: model,
      extraLoss: ({ inputs, prediction }) =>
        generatorAdversarialLoss(network, inputs, prediction, params.adversarial_weight),
      discriminator: { network, loss: (inputs, real, fake) => discriminatorLoss(network, inputs, real, fake) },
    };
  },
  pinn: (params) => {
    const model = buildUnet(params.backbone_params);
    return {
      model,
      trainingModel: model,
      extraLoss: ({ inputs, prediction }) =>
        physicsLoss(inputs, prediction, params.slope_window, params.physics_weight),
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
