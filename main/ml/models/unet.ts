/**
 * U-Net for seismic denoising and trace interpolation (seeds: 4 levels 64-128-256-512, bottleneck 1024, LeakyReLU 0.2,
 * BatchNorm, concatenated skips, dropout 0.1), with two variants:
 * - 'attention': additive attention gates on the skips (Oktay et al. 2018, "Attention U-Net"), gated by the upsampled
 *   decoder features, so the decoder can ignore skip content (noise) that the coarser context says is irrelevant;
 * - 'residual': every two-conv block gets a 1x1-projected shortcut (He et al.), for better gradient flow in deep stacks.
 * Fully convolutional: any patch whose time and trace sizes are multiples of 2^depth works.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { UnetParams } from '../modelConfig';
import { applyLayer, batchNorm, conv, convBnAct, leakyRelu, type Symbolic } from './blocks';

type Block = (x: Symbolic, filters: number, name: string) => Symbolic;

/** Two conv3x3 -> BatchNorm -> LeakyReLU, the classic U-Net level. */
const doubleConv: Block = (x, filters, name) =>
  convBnAct(convBnAct(x, filters, 3, `${name}_1`), filters, 3, `${name}_2`);

/** The same two convs with a shortcut; the shortcut is a 1x1 conv because every block changes the channel count. */
const residualBlock: Block = (x, filters, name) => {
  const first = convBnAct(x, filters, 3, `${name}_1`);
  const second = batchNorm(conv(first, filters, 3, `${name}_2_conv`, { useBias: false }), `${name}_2_bn`);
  const shortcut = batchNorm(conv(x, filters, 1, `${name}_skip_conv`, { useBias: false }), `${name}_skip_bn`);
  return leakyRelu(applyLayer(tfl.layers.add({ name: `${name}_sum` }), [second, shortcut]), `${name}_act`);
};

/**
 * Additive attention gate: coefficients in (0, 1), one per sample and trace, computed from the skip and the gating signal
 * (the decoder features at the same resolution), scale the skip before it is concatenated. No conv before a BatchNorm
 * has a bias: BatchNorm removes it (its gradient would be zero) and its beta takes that role.
 */
function attentionGate(skip: Symbolic, gating: Symbolic, filters: number, name: string): Symbolic {
  const interChannels = Math.max(1, Math.floor(filters / 2));
  const fromSkip = batchNorm(conv(skip, interChannels, 1, `${name}_wx`, { useBias: false }), `${name}_wx_bn`);
  const fromGating = batchNorm(conv(gating, interChannels, 1, `${name}_wg`, { useBias: false }), `${name}_wg_bn`);
  const summed = applyLayer(tfl.layers.add({ name: `${name}_sum` }), [fromSkip, fromGating]);
  const activated = applyLayer(tfl.layers.activation({ activation: 'relu', name: `${name}_relu` }), summed);
  const logits = batchNorm(conv(activated, 1, 1, `${name}_psi`, { useBias: false }), `${name}_psi_bn`);
  const coefficients = applyLayer(tfl.layers.activation({ activation: 'sigmoid', name: `${name}_sigmoid` }), logits);
  // [.., 1] broadcasts over the skip's channels.
  return applyLayer(tfl.layers.multiply({ name: `${name}_gate` }), [skip, coefficients]);
}

/** Doubles time and trace sizes and sets the channel count to that of the skip it will meet. */
function upsample(x: Symbolic, filters: number, mode: UnetParams['upsampling'], name: string): Symbolic {
  if (mode === 'transpose') {
    const layer = tfl.layers.conv2dTranspose({
      filters,
      kernelSize: 2,
      strides: 2,
      padding: 'same',
      kernelInitializer: 'heNormal',
      name: `${name}_convT`,
    });
    return applyLayer(layer, x);
  }
  const enlarged = applyLayer(tfl.layers.upSampling2d({ size: [2, 2], name: `${name}_nearest` }), x);
  return conv(enlarged, filters, 3, `${name}_conv`);
}

function dropout(x: Symbolic, rate: number, name: string): Symbolic {
  return rate > 0 ? applyLayer(tfl.layers.dropout({ rate, name }), x) : x;
}

export function buildUnet(params: UnetParams): tfl.LayersModel {
  const block = params.variant === 'residual' ? residualBlock : doubleConv;
  const input = tfl.input({ shape: [null, null, params.in_channels], name: 'section' });

  const skips: Symbolic[] = [];
  let x = input;
  params.features.forEach((filters, level) => {
    const features = block(x, filters, `enc${level}`);
    skips.push(features);
    x = applyLayer(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `enc${level}_pool` }), features);
  });

  // Dropout in the bottleneck and decoder only: the skips carry fine detail that should reach the output intact.
  x = dropout(block(x, params.bottleneck, 'bottleneck'), params.dropout, 'bottleneck_dropout');

  for (let level = params.features.length - 1; level >= 0; level--) {
    const filters = params.features[level] as number;
    const skip = skips[level] as Symbolic;
    const up = upsample(x, filters, params.upsampling, `dec${level}_up`);
    const gatedSkip = params.variant === 'attention' ? attentionGate(skip, up, filters, `dec${level}_attention`) : skip;
    const merged = applyLayer(tfl.layers.concatenate({ name: `dec${level}_concat` }), [up, gatedSkip]);
    x = dropout(block(merged, filters, `dec${level}`), params.dropout, `dec${level}_dropout`);
  }

  const output = conv(x, params.out_channels, 1, 'output');
  return tfl.model({ inputs: input, outputs: output, name: `unet_${params.variant}` });
}
