/** The SEG-Y engine's public surface. */
export { SegyFormatError, SegyWriteError } from './errors';
export type { SegyErrorCode, SegyWriteErrorCode } from './errors';
export {
  BINARY_HEADER_FIELDS,
  TRACE_HEADER_FIELDS,
  TRACE_HEADER_BYTES,
  decodeTraceHeader,
  traceField,
  traceFieldAtByte,
} from './headerFields';
export type {
  BinaryHeader,
  HeaderField,
  TraceHeader,
  TraceHeaderFieldName,
  BinaryHeaderFieldName,
} from './headerFields';
export { ibmToIeeeBits, ieeeToIbmBits } from './ibm';
export type { SegyLayout, SegyOpenOptions } from './layout';
export { SegyFile, openSegy, openSegyBuffer, openSegySource } from './reader';
export { SAMPLE_FORMATS, decodeSamples, encodeSamples, isSupportedFormat } from './sampleFormats';
export type { ByteOrder, SampleFormatCode, SampleFormatInfo } from './sampleFormats';
export { DEFAULT_SCAN_FIELDS, forEachTraceBlock, sampleTraceHeaders, scanSegy } from './scan';
export type { ScanOptions, ScanProgress, ScanResult, TraceHeaderSample } from './scan';
export { BufferByteSource, FileByteSource } from './source';
export type { ByteSource } from './source';
export { decodeTextHeader, encodeTextHeader, withHistoryLine } from './textHeader';
export type { TextEncoding, TextHeader } from './textHeader';
export { encodeNewSegy, writeNewSegy, writeSegyLike } from './writer';
export type { NewSegyOptions, TraceHeaderValues, WriteLikeOptions, WriteProgress } from './writer';
