/**
 * Small velocity ensembles for tests: one narrow InversionNet and one small seismic transformer, on any acquisition
 * size (the code under test does not depend on the size; the cpu and wasm backends run these in seconds).
 */
import { VELOCITY_ENSEMBLE_SCHEMA, type VelocityEnsembleConfig } from './velocityNetworkConfig';

export function smallEnsembleConfig(shape: {
  samples: number;
  receivers: number;
  shots: number;
  timeStride: number;
  side: number;
}): VelocityEnsembleConfig {
  return VELOCITY_ENSEMBLE_SCHEMA.parse({
    architecture: 'velocity_ensemble',
    params: {
      samples: shape.samples,
      receivers: shape.receivers,
      shots: shape.shots,
      time_stride: shape.timeStride,
      output_size: shape.side,
      members: [
        { architecture: 'inversionnet', params: { base: 2 } },
        {
          architecture: 'seismic_transformer',
          params: {
            encoder_channels: [4],
            scales: [3],
            embed_dim: 8,
            heads: 2,
            encoder_layers: 1,
            decoder_layers: 1,
            query_grid: 5,
          },
        },
      ],
    },
  });
}
