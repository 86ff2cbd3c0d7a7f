import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildModel } from './architectures';
import {
  ModelConfigError,
  parseModelConfig,
  parseModelConfigText,
  readModelConfigFile,
  type ModelConfig,
} from './modelConfig';
import { randomValues, seededRandom } from './testRandom';

const CONFIGS = path.join(__dirname, '..', '..', 'resources', 'configs');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model configs', () => {
  it("reads the seeds' YAML (with the model: wrapper) and fills defaults", () => {
    const config = parseModelConfigText(`
model:
  architecture: unet
  params:
    in_channels: 1
    out_channels: 1
    features: [64, 128, 256, 512]
    bottleneck: 1024
    dropout: 0.1
`);
    expect(config).toEqual({
      architecture: 'unet',
      params: {
        in_channels: 1,
        out_channels: 1,
        features: [64, 128, 256, 512],
        bottleneck: 1024,
        dropout: 0.1,
        variant: 'plain',
        upsampling: 'transpose',
      },
    });
  });

  it('reads JSON and bare { architecture, params } too', () => {
    const config = parseModelConfigText('{"architecture": "autoencoder", "params": {"latent_l1": 0.01}}');
    expect(config).toEqual({
      architecture: 'autoencoder',
      params: { in_channels: 1, out_channels: 1, features: [64, 128, 256], bottleneck: 512, latent_l1: 0.01 },
    });
    const unet = parseModelConfig({ architecture: 'unet' });
    expect(unet.architecture === 'unet' && unet.params.features).toEqual([64, 128, 256, 512]);
  });

  it('rejects unknown architectures, unknown or invalid params, and bad YAML, saying where', () => {
    expect(() => parseModelConfig({ architecture: 'transformer' })).toThrow(ModelConfigError);
    expect(() => parseModelConfig({ architecture: 'unet', params: { feature: [8] } }, 'my.yaml')).toThrow(
      /my\.yaml: params: Unrecognized key/,
    );
    expect(() => parseModelConfig({ architecture: 'unet', params: { dropout: 1 } })).toThrow(/params\.dropout/);
    expect(() => parseModelConfig({ architecture: 'unet', params: { variant: 'dense' } })).toThrow(/params\.variant/);
    expect(() => parseModelConfigText('model: [unclosed', 'x.yaml')).toThrow(/x\.yaml: not valid YAML/);
  });
});

async function bundled(name: string): Promise<ModelConfig> {
  return readModelConfigFile(path.join(CONFIGS, `${name}.yaml`));
}

/** Parameter counts of the bundled configs, for the model cards and to catch accidental architecture changes. */
const BUNDLED_PARAMS: Record<string, number> = {
  'unet-small': 483_857,
  'unet-small-interpolation': 489_893,
  'unet-seeds': 31_048_257,
  autoencoder: 3_102_849,
  'passive/spectrogram_autoencoder': 778_691,
  vae: 1_462_913,
  gan: 31_048_257,
  pinn: 483_857,
};

/** The discriminators of the bundled configs: pix2pix's 70 x 70 PatchGAN on input + candidate channels. */
const BUNDLED_DISCRIMINATOR_PARAMS: Record<string, number> = { gan: 2_766_401 };

describe('bundled configs', () => {
  for (const [name, params] of Object.entries(BUNDLED_PARAMS)) {
    it(`${name} builds with ${params.toLocaleString('en')} parameters`, async () => {
      const { model, trainingModel, discriminator } = buildModel(await bundled(name));
      expect(model.countParams()).toBe(params);
      expect(trainingModel.countParams()).toBe(params);
      expect(discriminator?.network.countParams()).toBe(BUNDLED_DISCRIMINATOR_PARAMS[name]);
      trainingModel.dispose();
      discriminator?.network.dispose();
    });
  }
});

function predict(model: tfl.LayersModel, x: tf.Tensor): tf.Tensor {
  return model.predict(x) as tf.Tensor;
}

describe('models', () => {
  const cases: Array<[string, ModelConfig, number]> = [
    ['U-Net plain', parseModelConfig({ architecture: 'unet', params: { features: [4, 8], bottleneck: 8 } }), 1],
    [
      'U-Net attention with the mask channel',
      parseModelConfig({ architecture: 'unet', params: { in_channels: 2, features: [4, 8], variant: 'attention' } }),
      2,
    ],
    [
      'U-Net residual, upsample + conv',
      parseModelConfig({
        architecture: 'unet',
        params: { features: [4, 8, 8], bottleneck: 8, variant: 'residual', upsampling: 'upsample' },
      }),
      1,
    ],
    [
      'autoencoder',
      parseModelConfig({ architecture: 'autoencoder', params: { features: [4, 8, 8], bottleneck: 8 } }),
      1,
    ],
    [
      'VAE with the mask channel',
      parseModelConfig({ architecture: 'vae', params: { in_channels: 2, encoder_features: [4, 8, 8], latent_dim: 4 } }),
      2,
    ],
    [
      'GAN generator',
      parseModelConfig({
        architecture: 'gan',
        params: { generator: { architecture: 'unet', params: { features: [4, 8, 8], bottleneck: 8 } } },
      }),
      1,
    ],
    [
      'PINN backbone',
      parseModelConfig({ architecture: 'pinn', params: { backbone_params: { features: [4, 8, 8], bottleneck: 8 } } }),
      1,
    ],
  ];

  for (const [name, config, channels] of cases) {
    it(`${name}: maps [batch, samples, traces, ${channels}] to [batch, samples, traces, 1] for any multiple of 2^depth`, () => {
      const { model } = buildModel(config);
      for (const [samples, traces] of [
        [16, 32],
        [40, 8],
      ] as const) {
        const y = predict(model, tf.zeros([2, samples, traces, channels]));
        expect(y.shape).toEqual([2, samples, traces, 1]);
        y.dispose();
      }
      model.dispose();
    });
  }

  it('the spectrogram autoencoder maps 3-component spectrograms of any size to the same size', () => {
    for (const size of [
      [129, 110],
      [33, 16],
    ] as const) {
      const config = parseModelConfig({
        architecture: 'spectrogram_autoencoder',
        params: { features: [4, 8], input_size: size },
      });
      const { model } = buildModel(config);
      const y = predict(model, tf.zeros([2, size[0], size[1], 3]));
      expect(y.shape).toEqual([2, size[0], size[1], 3]);
      y.dispose();
      model.dispose();
    }
  });

  it('the autoencoder exposes its latent and its L1 penalty, weighted by latent_l1', async () => {
    const config = parseModelConfig({
      architecture: 'autoencoder',
      params: { features: [4, 8], bottleneck: 6, latent_l1: 0.5 },
    });
    const built = buildModel(config);
    const x = tf.tensor4d(randomValues(seededRandom(3), 16 * 16), [1, 16, 16, 1]);
    const [prediction, latent] = built.trainingModel.predict(x) as tf.Tensor[];
    expect(latent?.shape).toEqual([1, 4, 4, 6]);
    if (!prediction || !latent || !built.extraLoss) throw new Error('autoencoder parts missing');
    const penalty = built.extraLoss({ inputs: x, prediction, auxiliary: [latent] });
    const expected = 0.5 * (await tf.mean(tf.abs(latent)).data())[0]!;
    expect((await penalty.data())[0]).toBeCloseTo(expected, 6);
    built.model.dispose();
  });

  it('the VAE decodes its latent mean in inference, samples it in training mode, and prices it with beta * KL', async () => {
    const built = buildModel(
      parseModelConfig({ architecture: 'vae', params: { encoder_features: [4, 8], latent_dim: 3, beta: 0.5 } }),
    );
    const x = tf.tensor4d(randomValues(seededRandom(5), 2 * 16 * 16), [2, 16, 16, 1]);
    const [prediction, mean, std] = built.trainingModel.predict(x) as tf.Tensor[];
    if (!prediction || !mean || !std || !built.extraLoss) throw new Error('VAE parts missing');
    expect(mean.shape).toEqual([2, 4, 4, 3]);
    expect(Math.min(...(await std.data()))).toBeGreaterThan(0);
    const deterministic = Array.from(await predict(built.model, x).data());
    expect(Array.from(await prediction.data())).toEqual(deterministic);
    const sampled = built.model.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(await sampled.data())).not.toEqual(deterministic);
    // KL(N(m, s^2) || N(0, 1)) = (m^2 + s^2 - 1 - 2 ln s) / 2 per latent value, summed, per output sample.
    const [m, s] = [Array.from(await mean.data()), Array.from(await std.data())];
    const kl = m.reduce((sum, mi, i) => sum + (mi ** 2 + s[i]! ** 2 - 1 - 2 * Math.log(s[i]!)) / 2, 0);
    const penalty = built.extraLoss({ inputs: x, prediction, auxiliary: [mean, std] });
    expect((await penalty.data())[0]).toBeCloseTo((0.5 * kl) / prediction.size, 5);
    built.model.dispose();
  });

  it("the GAN's PatchGAN sees 70 x 70 samples and traces per logit, as pix2pix's", () => {
    const { discriminator, model } = buildModel(
      parseModelConfig({ architecture: 'gan', params: { discriminator: { params: { features: [2, 2, 2, 2] } } } }),
    );
    if (discriminator === undefined) throw new Error('no discriminator');
    const x = tf.tensor4d(randomValues(seededRandom(6), 160 * 160 * 2), [1, 160, 160, 2]);
    // The gradient of one logit with respect to the input is non-zero exactly over its receptive field.
    const reach = tf.grad((input: tf.Tensor) => {
      const logits = discriminator.network.apply(input) as tf.Tensor;
      return tf.sum(tf.slice(logits, [0, 10, 10, 0], [1, 1, 1, 1]));
    })(x);
    const touched = tf.notEqual(tf.sum(tf.abs(reach), [0, 3]), 0);
    expect(tf.sum(tf.any(touched, 1)).arraySync()).toBe(70);
    expect(tf.sum(tf.any(touched, 0)).arraySync()).toBe(70);
    model.dispose();
    discriminator.network.dispose();
  });

  it('saves to the standard tfjs format (model.json topology + weights) and loads back with identical output', async () => {
    const config = parseModelConfig({
      architecture: 'unet',
      params: { features: [4, 8], bottleneck: 8, variant: 'attention' },
    });
    const { model } = buildModel(config);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (saved === undefined) throw new Error('nothing saved');
    const topology = JSON.stringify(saved.modelTopology);
    expect(topology).toContain('"class_name":"Model"');
    expect(saved.weightSpecs?.length).toBeGreaterThan(0);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
    const x = tf.tensor4d(randomValues(seededRandom(4), 2 * 16 * 16), [2, 16, 16, 1]);
    expect(Array.from(await predict(loaded, x).data())).toEqual(Array.from(await predict(model, x).data()));
    model.dispose();
    loaded.dispose();
  });
});
