/**
 * Header field tables: names, byte positions (1-based, as printed in the SEG-Y standard) and binary types.
 * They are data, shared by the header decoders, the header-map scorer and the writers.
 */

export type FieldType = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'uint64' | 'float64';

export interface HeaderField<Name extends string = string> {
  readonly name: Name;
  /** 1-based byte position: 3201..3600 for the binary header, 1..240 for a trace header. */
  readonly byte: number;
  readonly type: FieldType;
}

export const FIELD_WIDTH: Readonly<Record<FieldType, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  uint64: 8,
  float64: 8,
};

const field = <Name extends string>(name: Name, byte: number, type: FieldType): HeaderField<Name> => ({
  name,
  byte,
  type,
});

/** SEG-Y rev 2.1 binary file header (file bytes 3201-3600). */
export const BINARY_HEADER_FIELDS = [
  field('jobId', 3201, 'int32'),
  field('lineNumber', 3205, 'int32'),
  field('reelNumber', 3209, 'int32'),
  field('tracesPerEnsemble', 3213, 'int16'),
  field('auxTracesPerEnsemble', 3215, 'int16'),
  field('sampleInterval', 3217, 'uint16'),
  field('sampleIntervalOriginal', 3219, 'uint16'),
  field('samplesPerTrace', 3221, 'uint16'),
  field('samplesPerTraceOriginal', 3223, 'uint16'),
  field('formatCode', 3225, 'int16'),
  field('ensembleFold', 3227, 'int16'),
  field('sortingCode', 3229, 'int16'),
  field('verticalSumCode', 3231, 'int16'),
  field('sweepFrequencyStart', 3233, 'int16'),
  field('sweepFrequencyEnd', 3235, 'int16'),
  field('sweepLength', 3237, 'int16'),
  field('sweepTypeCode', 3239, 'int16'),
  field('sweepChannel', 3241, 'int16'),
  field('sweepTaperLengthStart', 3243, 'int16'),
  field('sweepTaperLengthEnd', 3245, 'int16'),
  field('taperType', 3247, 'int16'),
  field('correlatedTraces', 3249, 'int16'),
  field('binaryGainRecovered', 3251, 'int16'),
  field('amplitudeRecoveryMethod', 3253, 'int16'),
  field('measurementSystem', 3255, 'int16'),
  field('impulseSignalPolarity', 3257, 'int16'),
  field('vibratoryPolarityCode', 3259, 'int16'),
  field('extendedTracesPerEnsemble', 3261, 'int32'),
  field('extendedAuxTracesPerEnsemble', 3265, 'int32'),
  field('extendedSamplesPerTrace', 3269, 'int32'),
  field('extendedSampleInterval', 3273, 'float64'),
  field('extendedSampleIntervalOriginal', 3281, 'float64'),
  field('extendedSamplesPerTraceOriginal', 3289, 'int32'),
  field('extendedEnsembleFold', 3293, 'int32'),
  field('integerConstant', 3297, 'int32'),
  // Major revision in byte 3501, minor in 3502 (0x0100 = rev 1.0); read as one 16-bit value in the file's order.
  field('revision', 3501, 'uint16'),
  field('fixedLengthFlag', 3503, 'int16'),
  field('extendedTextHeaders', 3505, 'int16'),
  // rev 2.0 gives 3507-3510 but segyio and others write 16 bits at 3507-3508; the layout resolver reads both.
  field('maxAdditionalTraceHeaders', 3507, 'int16'),
  field('timeBasisCode', 3511, 'int16'),
  field('numberOfTraces64', 3513, 'uint64'),
  field('byteOffsetOfFirstTrace64', 3521, 'uint64'),
  field('numberOfTrailerStanzas', 3529, 'int32'),
] as const;

export type BinaryHeaderFieldName = (typeof BINARY_HEADER_FIELDS)[number]['name'];

/** SEG-Y rev 2.1 standard trace header (240 bytes). */
export const TRACE_HEADER_FIELDS = [
  field('traceSequenceLine', 1, 'int32'),
  field('traceSequenceFile', 5, 'int32'),
  field('fieldRecord', 9, 'int32'),
  field('traceNumber', 13, 'int32'),
  field('energySourcePoint', 17, 'int32'),
  field('cdp', 21, 'int32'),
  field('cdpTrace', 25, 'int32'),
  field('traceIdentificationCode', 29, 'int16'),
  field('summedTraces', 31, 'int16'),
  field('stackedTraces', 33, 'int16'),
  field('dataUse', 35, 'int16'),
  field('offset', 37, 'int32'),
  field('receiverGroupElevation', 41, 'int32'),
  field('surfaceElevationAtSource', 45, 'int32'),
  field('sourceDepthBelowSurface', 49, 'int32'),
  field('receiverDatumElevation', 53, 'int32'),
  field('sourceDatumElevation', 57, 'int32'),
  field('sourceWaterDepth', 61, 'int32'),
  field('groupWaterDepth', 65, 'int32'),
  field('elevationScalar', 69, 'int16'),
  field('coordinateScalar', 71, 'int16'),
  field('sourceX', 73, 'int32'),
  field('sourceY', 77, 'int32'),
  field('groupX', 81, 'int32'),
  field('groupY', 85, 'int32'),
  field('coordinateUnits', 89, 'int16'),
  field('weatheringVelocity', 91, 'int16'),
  field('subWeatheringVelocity', 93, 'int16'),
  field('sourceUpholeTime', 95, 'int16'),
  field('groupUpholeTime', 97, 'int16'),
  field('sourceStaticCorrection', 99, 'int16'),
  field('groupStaticCorrection', 101, 'int16'),
  field('totalStaticApplied', 103, 'int16'),
  field('lagTimeA', 105, 'int16'),
  field('lagTimeB', 107, 'int16'),
  field('delayRecordingTime', 109, 'int16'),
  field('muteTimeStart', 111, 'int16'),
  field('muteTimeEnd', 113, 'int16'),
  field('samplesPerTrace', 115, 'uint16'),
  field('sampleInterval', 117, 'uint16'),
  field('gainType', 119, 'int16'),
  field('instrumentGainConstant', 121, 'int16'),
  field('instrumentInitialGain', 123, 'int16'),
  field('correlated', 125, 'int16'),
  field('sweepFrequencyStart', 127, 'int16'),
  field('sweepFrequencyEnd', 129, 'int16'),
  field('sweepLength', 131, 'int16'),
  field('sweepType', 133, 'int16'),
  field('sweepTraceTaperLengthStart', 135, 'int16'),
  field('sweepTraceTaperLengthEnd', 137, 'int16'),
  field('taperType', 139, 'int16'),
  field('aliasFilterFrequency', 141, 'int16'),
  field('aliasFilterSlope', 143, 'int16'),
  field('notchFilterFrequency', 145, 'int16'),
  field('notchFilterSlope', 147, 'int16'),
  field('lowCutFrequency', 149, 'int16'),
  field('highCutFrequency', 151, 'int16'),
  field('lowCutSlope', 153, 'int16'),
  field('highCutSlope', 155, 'int16'),
  field('yearDataRecorded', 157, 'int16'),
  field('dayOfYear', 159, 'int16'),
  field('hourOfDay', 161, 'int16'),
  field('minuteOfHour', 163, 'int16'),
  field('secondOfMinute', 165, 'int16'),
  field('timeBasisCode', 167, 'int16'),
  field('traceWeightingFactor', 169, 'int16'),
  field('geophoneGroupNumberRoll1', 171, 'int16'),
  field('geophoneGroupNumberFirstTrace', 173, 'int16'),
  field('geophoneGroupNumberLastTrace', 175, 'int16'),
  field('gapSize', 177, 'int16'),
  field('overTravel', 179, 'int16'),
  field('cdpX', 181, 'int32'),
  field('cdpY', 185, 'int32'),
  field('inline', 189, 'int32'),
  field('crossline', 193, 'int32'),
  field('shotPoint', 197, 'int32'),
  field('shotPointScalar', 201, 'int16'),
  field('traceValueMeasurementUnit', 203, 'int16'),
  field('transductionConstantMantissa', 205, 'int32'),
  field('transductionConstantExponent', 209, 'int16'),
  field('transductionUnits', 211, 'int16'),
  field('deviceTraceIdentifier', 213, 'int16'),
  field('timeScalar', 215, 'int16'),
  field('sourceTypeOrientation', 217, 'int16'),
  field('sourceEnergyDirectionMantissa', 219, 'int32'),
  field('sourceEnergyDirectionExponent', 223, 'int16'),
  field('sourceMeasurementMantissa', 225, 'int32'),
  field('sourceMeasurementExponent', 229, 'int16'),
  field('sourceMeasurementUnit', 231, 'int16'),
  field('unassigned1', 233, 'int32'),
  field('unassigned2', 237, 'int32'),
] as const;

export type TraceHeaderFieldName = (typeof TRACE_HEADER_FIELDS)[number]['name'];
export type TraceHeader = Readonly<Record<TraceHeaderFieldName, number>>;

export const TRACE_HEADER_BYTES = 240;
export const BINARY_HEADER_BYTES = 400;
export const BINARY_HEADER_OFFSET = 3200;

const TRACE_FIELD_BY_NAME = new Map<string, HeaderField>(TRACE_HEADER_FIELDS.map((f) => [f.name, f]));
const TRACE_FIELD_BY_BYTE = new Map<number, HeaderField>(TRACE_HEADER_FIELDS.map((f) => [f.byte, f]));

export function traceField(name: TraceHeaderFieldName): HeaderField {
  return TRACE_FIELD_BY_NAME.get(name)!;
}

/**
 * The field starting at a trace-header byte; positions that are not a field start in the standard (users' files
 * put keys anywhere) are read as 4-byte integers.
 */
export function traceFieldAtByte(byte: number): HeaderField {
  return TRACE_FIELD_BY_BYTE.get(byte) ?? { name: `byte${byte}`, byte, type: 'int32' };
}

/** Reads one field; `base` is the 0-based offset in `view` of the header's byte 1 (or of byte 3201). */
export function readField(
  view: DataView,
  base: number,
  spec: HeaderField,
  byteOffsetOfFirst: number,
  littleEndian: boolean,
): number {
  const at = base + spec.byte - byteOffsetOfFirst;
  switch (spec.type) {
    case 'int8':
      return view.getInt8(at);
    case 'uint8':
      return view.getUint8(at);
    case 'int16':
      return view.getInt16(at, littleEndian);
    case 'uint16':
      return view.getUint16(at, littleEndian);
    case 'int32':
      return view.getInt32(at, littleEndian);
    case 'uint32':
      return view.getUint32(at, littleEndian);
    case 'uint64':
      return Number(view.getBigUint64(at, littleEndian));
    case 'float64':
      return view.getFloat64(at, littleEndian);
  }
}

/** Writes one field (values are truncated to the field's type, like a C cast). */
export function writeField(
  view: DataView,
  base: number,
  spec: HeaderField,
  byteOffsetOfFirst: number,
  littleEndian: boolean,
  value: number,
): void {
  const at = base + spec.byte - byteOffsetOfFirst;
  switch (spec.type) {
    case 'int8':
    case 'uint8':
      view.setUint8(at, value & 0xff);
      return;
    case 'int16':
    case 'uint16':
      view.setUint16(at, value & 0xffff, littleEndian);
      return;
    case 'int32':
    case 'uint32':
      view.setUint32(at, value >>> 0, littleEndian);
      return;
    case 'uint64':
      view.setBigUint64(at, BigInt(Math.max(0, Math.trunc(value))), littleEndian);
      return;
    case 'float64':
      view.setFloat64(at, value, littleEndian);
  }
}

export type BinaryHeader = Readonly<Record<BinaryHeaderFieldName, number>>;

export function decodeBinaryHeader(bytes: Uint8Array, littleEndian: boolean): BinaryHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: Record<string, number> = {};
  for (const spec of BINARY_HEADER_FIELDS) header[spec.name] = readField(view, 0, spec, 3201, littleEndian);
  return header as BinaryHeader;
}

/** Decodes the 240-byte standard trace header at `offset` of `bytes`. */
export function decodeTraceHeader(bytes: Uint8Array, offset: number, littleEndian: boolean): TraceHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: Record<string, number> = {};
  for (const spec of TRACE_HEADER_FIELDS) header[spec.name] = readField(view, offset, spec, 1, littleEndian);
  return header as TraceHeader;
}
