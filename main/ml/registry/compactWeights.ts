/**
 * Compact storage of a saved model: convolution kernels (almost all of a U-Net's bytes) stored as IEEE float16 with
 * tfjs's own weight quantization (`quantization: { dtype: 'float16' }` in the manifest), which tfjs dequantizes to
 * float32 when it loads the model, so nothing else changes. Biases and BatchNorm parameters and statistics stay float32:
 * they are few, and a moving variance can be smaller than float16's smallest normal number (6e-5).
 * float16 keeps 11 significant bits (relative error at most 2^-11, about 5e-4) over 6e-5..65504, which trained kernel
 * weights sit well inside; the bundled models' test checks what it does to their outputs.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { MODEL_FILES, ModelFilesError } from './modelFiles';

type ManifestEntry = tf.io.WeightsManifestEntry;

interface Topology {
  weightsManifest: { paths: string[]; weights: ManifestEntry[] }[];
  [key: string]: unknown;
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The float16 bit pattern nearest to `value` (round half to even; overflow to infinity, NaN kept). */
export function float16Bits(value: number): number {
  scratch[0] = value;
  const bits = scratchBits[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 31) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    // Subnormal half: the implicit leading bit joins the mantissa, shifted right by the missing exponent.
    const shift = 14 - halfExponent;
    const full = mantissa | 0x800000;
    return sign | roundShift(full, shift);
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  return sign | ((halfExponent << 10) + roundShift(mantissa, 13));
}

/** value >> shift rounded half to even. */
function roundShift(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

function elementCount(entry: ManifestEntry): number {
  return entry.shape.reduce((n, d) => n * d, 1);
}

function storedBytes(entry: ManifestEntry): number {
  if (entry.quantization) throw new ModelFilesError(`weight ${entry.name} is already quantized`);
  if (entry.dtype !== 'float32') throw new ModelFilesError(`weight ${entry.name} is ${entry.dtype}, not float32`);
  return 4 * elementCount(entry);
}

const isKernel = (entry: ManifestEntry): boolean => entry.name.endsWith('/kernel');

/** The model's files with every conv kernel stored as float16; the card and other weights are unchanged. */
export function withFloat16Kernels(files: ReadonlyMap<string, Uint8Array>): Map<string, Uint8Array> {
  const topologyBytes = files.get(MODEL_FILES.topology);
  const weights = files.get(MODEL_FILES.weights);
  if (!topologyBytes || !weights) throw new ModelFilesError('the model has no model.json or weights.bin');
  const topology = JSON.parse(new TextDecoder().decode(topologyBytes)) as Topology;
  const entries = topology.weightsManifest.flatMap((group) => group.weights);
  const total = entries.reduce((n, entry) => n + storedBytes(entry), 0);
  if (total !== weights.length) {
    throw new ModelFilesError(`weights.bin holds ${weights.length} bytes, its manifest describes ${total}`);
  }
  const source = new DataView(weights.buffer, weights.byteOffset, weights.byteLength);
  const parts: Uint8Array[] = [];
  const compacted: ManifestEntry[] = [];
  let offset = 0;
  for (const entry of entries) {
    const bytes = storedBytes(entry);
    if (isKernel(entry)) {
      const halves = new Uint16Array(elementCount(entry));
      for (let i = 0; i < halves.length; i++) halves[i] = float16Bits(source.getFloat32(offset + 4 * i, true));
      parts.push(new Uint8Array(halves.buffer));
      compacted.push({ ...entry, quantization: { dtype: 'float16' } });
    } else {
      parts.push(weights.subarray(offset, offset + bytes));
      compacted.push(entry);
    }
    offset += bytes;
  }
  const data = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  const paths = [MODEL_FILES.weights];
  const result = new Map(files);
  result.set(
    MODEL_FILES.topology,
    new TextEncoder().encode(JSON.stringify({ ...topology, weightsManifest: [{ paths, weights: compacted }] })),
  );
  result.set(MODEL_FILES.weights, data);
  return result;
}
