/**
 * Spectrogram denoising with the spectrogram autoencoder (`promethium mseed denoise`): a soft mask from the model's
 * reconstruction, applied to the recording's STFT (noisy phase kept), and the inverse STFT back to a waveform.
 *
 * The mask is a Wiener gain that takes the model's reconstruction as the power of the wanted signal. The autoencoder
 * has learnt what the recording's spectrogram normally looks like; its reconstruction R (dB) is the power it expects
 * at each time and frequency, the input Y (dB) the power recorded. The Wiener gain S / (S + N) with S = 10^(R/10) and
 * S + N = 10^(Y/10) is
 *
 *   gain = min(1, 10^((R - Y) / 10))
 *
 * so power the model cannot explain (a burst, a transient, interference that the recording does not usually hold) is
 * scaled down to what it expects, and the rest passes unchanged. The gain is capped at one: where the model expects more
 * power than was recorded there is nothing to remove, and amplifying would invent signal. What this removes is what is
 * unusual for the recording, not a steady noise floor that the model has learnt as normal; and an event the model
 * reconstructs poorly (a rare earthquake in a record of quiet) is attenuated too. Measured (BENCHMARKS.md): a model
 * trained on a clean stretch takes a noise burst out well; one trained on the disturbed record itself much less, and
 * a bandpass on the signal's band beats both on white noise.
 *
 * The mask is computed on the model's frames (spectrogram.ts: segments from the first sample) and applied to the STFT
 * (signal/stft.ts: the first segment centred on the first sample); with the frames of both every `hop` samples, STFT
 * frame k is spectrogram frame k - nperseg / (2 hop), and the STFT's few frames beyond either end take the nearest one.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelConfig } from '../../ml/modelConfig';
import type { Stft } from '../../signal/stft';
import { openDetectorFor } from '../anomaly/detection';
import type { DetectorState } from '../anomaly/detectorFolder';
import type { StationRecording } from '../anomaly/stationRecording';
import { trainSpectrogramAutoencoder, type SpectrogramTrainingOptions } from '../anomaly/training';
import {
  reconstructSpectrograms,
  type ComponentReconstruction,
  type SpectrogramReconstruction,
} from './spectrogramReconstruction';
import { filterThroughStft } from './stftFilter';

export interface DenoisedRecording {
  /** The denoised samples of each component, as long as the recording's. */
  components: Float32Array[];
  /** What the mask was made from: input, output and difference spectrograms, MSE and MAE per component. */
  reconstruction: SpectrogramReconstruction;
  /** Energy taken out of each component (mean removed), dB: 10 log10(energy before / energy after). */
  removedDb: number[];
  /** The detector's training epochs. */
  epochs: number;
}

/** The Wiener gain of each (frame, bin) of a component's reconstruction. */
export function reconstructionMask(component: ComponentReconstruction): Float32Array {
  return component.output.map((expected, k) => Math.min(1, 10 ** ((expected - component.input[k]!) / 10)));
}

/** The mask's gains on the STFT's frames (see the module comment on how frames line up). */
function maskOnStft(mask: Float32Array, maskFrames: number, state: DetectorState): (transform: Stft) => Float64Array {
  const { nperseg, noverlap } = state.settings;
  const offset = Math.round(nperseg / 2 / (nperseg - noverlap));
  return ({ frames, bins }) =>
    Float64Array.from({ length: frames * bins }, (_, i) => {
      const frame = Math.min(maskFrames - 1, Math.max(0, Math.floor(i / bins) - offset));
      return mask[frame * bins + (i % bins)]!;
    });
}

function energyRatioDb(before: Float32Array, after: Float32Array): number {
  const energy = (samples: Float32Array) => {
    const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;
    return samples.reduce((sum, x) => sum + (x - mean) ** 2, 0);
  };
  return 10 * Math.log10(energy(before) / energy(after));
}

export async function denoiseRecording(
  model: tfl.LayersModel,
  state: DetectorState,
  recording: StationRecording,
): Promise<DenoisedRecording> {
  const reconstruction = await reconstructSpectrograms(model, state, recording);
  const maskFrames = reconstruction.times.length;
  const { nperseg, noverlap, nfft } = state.settings;
  const components = recording.components.map((samples, c) => {
    const mask = reconstructionMask(reconstruction.components[c]!);
    return filterThroughStft(samples, { nperseg, noverlap, nfft }, maskOnStft(mask, maskFrames, state));
  });
  return {
    components,
    reconstruction,
    removedDb: components.map((denoised, c) => energyRatioDb(recording.components[c]!, denoised)),
    epochs: state.epoch,
  };
}

/** Denoises a recording with a finished detector folder (`train --task spectrogram`). */
export async function denoiseWithDetector(recording: StationRecording, modelDir: string): Promise<DenoisedRecording> {
  const { state, model } = await openDetectorFor(recording, modelDir);
  try {
    return await denoiseRecording(model, state, recording);
  } finally {
    model.dispose();
  }
}

/** Trains the autoencoder on the recording itself (self-supervised: the noisy record is all there is), then denoises. */
export async function trainAndDenoise(
  recording: StationRecording,
  config: ModelConfig,
  options: SpectrogramTrainingOptions,
): Promise<DenoisedRecording> {
  const { model, state } = await trainSpectrogramAutoencoder(recording, config, options);
  try {
    return await denoiseRecording(model, state, recording);
  } finally {
    model.dispose();
  }
}
