/** The data encodings Promethium reads and writes, by their SEED / miniSEED 3 code. */

export type SampleType = 'int32' | 'float32' | 'float64' | 'text';
export type Samples = Int32Array | Float32Array | Float64Array | Uint8Array;

export type EncodingName = 'text' | 'int16' | 'int32' | 'float32' | 'float64' | 'steim1' | 'steim2';

export interface EncodingInfo {
  name: EncodingName;
  code: number;
  /** What the decoded samples are (int16 and Steim decode to 32-bit integers, as in libmseed). */
  sampleType: SampleType;
  /** Bytes per stored sample; 0 for the Steim frames. */
  sampleBytes: number;
  label: string;
}

export const ENCODINGS: Record<EncodingName, EncodingInfo> = {
  text: { name: 'text', code: 0, sampleType: 'text', sampleBytes: 1, label: 'text' },
  int16: { name: 'int16', code: 1, sampleType: 'int32', sampleBytes: 2, label: 'int16' },
  int32: { name: 'int32', code: 3, sampleType: 'int32', sampleBytes: 4, label: 'int32' },
  float32: { name: 'float32', code: 4, sampleType: 'float32', sampleBytes: 4, label: 'float32' },
  float64: { name: 'float64', code: 5, sampleType: 'float64', sampleBytes: 8, label: 'float64' },
  steim1: { name: 'steim1', code: 10, sampleType: 'int32', sampleBytes: 0, label: 'Steim-1' },
  steim2: { name: 'steim2', code: 11, sampleType: 'int32', sampleBytes: 0, label: 'Steim-2' },
};

const BY_CODE = new Map(Object.values(ENCODINGS).map((info) => [info.code, info]));

/** The encoding of a header's code, or undefined for those not supported (GEOSCOPE, CDSN, SRO, DWWSSN, int24...). */
export function encodingOfCode(code: number): EncodingInfo | undefined {
  return BY_CODE.get(code);
}

export function allocateSamples(type: SampleType, length: number): Samples {
  switch (type) {
    case 'int32':
      return new Int32Array(length);
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'text':
      return new Uint8Array(length);
  }
}
