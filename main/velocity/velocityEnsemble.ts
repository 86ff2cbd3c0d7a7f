/**
 * The velocity ensemble from its config (velocityNetworkConfig.ts): the shots, optionally averaged along time
 * (time_stride), go to every member, InversionNets and seismic transformers alike; each answers a map in m/s; the
 * ensemble's map is their combination with learned weights (attentionLayers.ts, LearnedMemberWeights).
 *
 * The model has two outputs: the ensemble's map [batch, size, size, 1] and the members' maps stacked on the last axis
 * [batch, size, size, members]. Training puts the loss on both (velocityLoss.ts: every member must be a good predictor
 * on its own, or the members' spread would not measure anything); prediction reports the ensemble's map and, as the
 * uncertainty, the spread of the members (and of the test-time augmentations: velocityPrediction.ts).
 *
 * Members are built in the one functional model, each with its own layer-name prefix (m0_, m1_, ...), rather than as
 * nested models: one flat model.json that saves, loads and counts its weights like every other model of the project.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { applyLayer, type Symbolic } from '../ml/models/blocks';
import { LearnedMemberWeights } from './attentionLayers';
import { inversionNetLayers } from './inversionNet';
import { seismicTransformerLayers } from './seismicTransformer';
import { loadModelFolder, readModelCard } from '../ml/registry/modelFiles';
import {
  VELOCITY_ENSEMBLE_SCHEMA,
  type VelocityEnsembleParams,
  type VelocityMemberConfig,
} from './velocityNetworkConfig';

export const ENSEMBLE_LAYER_NAMES = { shots: 'shots', weights: 'member_weights' } as const;

/** InversionNet's tanh output [-1, 1] mapped linearly onto the configured velocity range. */
function inversionNetMember(x: Symbolic, base: number, params: VelocityEnsembleParams, prefix: string): Symbolic {
  const tanh = inversionNetLayers(x, base, params.output_size, prefix);
  const half = (params.max_velocity - params.min_velocity) / 2;
  const toVelocity = tfl.layers.rescaling({ scale: half, offset: params.min_velocity + half, name: `${prefix}mps` });
  return applyLayer(toVelocity, tanh);
}

function memberLayers(
  x: Symbolic,
  member: VelocityMemberConfig,
  params: VelocityEnsembleParams,
  index: number,
): Symbolic {
  const prefix = `m${index}_`;
  return member.architecture === 'inversionnet'
    ? inversionNetMember(x, member.params.base, params, prefix)
    : seismicTransformerLayers(x, member.params, params, prefix);
}

export function buildVelocityEnsemble(params: VelocityEnsembleParams): tfl.LayersModel {
  const input = tfl.input({
    shape: [params.samples, params.receivers, params.shots],
    name: ENSEMBLE_LAYER_NAMES.shots,
  });
  const stride = params.time_stride;
  const pooled =
    stride === 1
      ? input
      : applyLayer(
          tfl.layers.averagePooling2d({ poolSize: [stride, 1], strides: [stride, 1], name: 'time_pool' }),
          input,
        );
  const members = params.members.map((member, index) => memberLayers(pooled, member, params, index));
  const stacked =
    members.length === 1 ? members[0]! : applyLayer(tfl.layers.concatenate({ axis: -1, name: 'members' }), members);
  const combined = applyLayer(new LearnedMemberWeights({ name: ENSEMBLE_LAYER_NAMES.weights }), stacked);
  return tfl.model({ inputs: input, outputs: [combined, stacked], name: 'velocity_ensemble' });
}

/** The ensemble's current member weights (softmax of its learned logits; they sum to one). */
export function memberWeights(model: tfl.LayersModel): number[] {
  return (model.getLayer(ENSEMBLE_LAYER_NAMES.weights) as LearnedMemberWeights).memberWeights();
}

export class VelocityModelError extends Error {}

/** A trained ensemble from its model folder (a checkpoint's best/ or last/), with the config its card records. */
export async function loadVelocityEnsemble(
  dir: string,
): Promise<{ model: tfl.LayersModel; params: VelocityEnsembleParams }> {
  const card = (await readModelCard(dir)) as unknown as { config?: unknown };
  const config = VELOCITY_ENSEMBLE_SCHEMA.safeParse(card.config);
  if (!config.success) {
    throw new VelocityModelError(
      `${dir} is not a velocity ensemble (its model card holds no velocity_ensemble config)`,
    );
  }
  return { model: await loadModelFolder(dir), params: config.data.params };
}
