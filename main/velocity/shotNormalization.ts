/**
 * What the velocity networks see of a sample's shots: OpenFWI's [shot, time, receiver] float32 turned into the
 * networks' [time, receiver, shot] layout (shots as channels), divided by the sample's RMS amplitude (modelled
 * amplitudes are ~1e-7, OpenFWI's files ~10: the scale must not matter) and compressed by sign(x) log(1 + |x|), as
 * OpenFWI's log transform does, so that the late, weak reflections that carry the deep velocities are not lost under
 * the direct wave. Training and prediction both go through here.
 */

/** Shots per sample, samples per trace and receivers per shot (the ensemble config's params carry them). */
export interface ShotLayout {
  readonly shots: number;
  readonly samples: number;
  readonly receivers: number;
}

/** One sample's shots [shot, time, receiver] -> the network input [time, receiver, shot], scaled and compressed. */
export function networkInput(shots: Float32Array, layout: ShotLayout): Float32Array {
  const { shots: count, samples, receivers } = layout;
  if (shots.length !== count * samples * receivers) {
    throw new RangeError(
      `a sample has ${count} shots x ${samples} samples x ${receivers} receivers = ${count * samples * receivers} values, this one ${shots.length}`,
    );
  }
  let energy = 0;
  for (const value of shots) energy += value * value;
  const rms = Math.sqrt(energy / shots.length);
  const scale = rms > 0 ? 1 / rms : 0;
  const out = new Float32Array(shots.length);
  for (let shot = 0; shot < count; shot++) {
    for (let t = 0; t < samples; t++) {
      for (let r = 0; r < receivers; r++) {
        const value = shots[(shot * samples + t) * receivers + r]! * scale;
        out[(t * receivers + r) * count + shot] = Math.sign(value) * Math.log1p(Math.abs(value));
      }
    }
  }
  return out;
}
