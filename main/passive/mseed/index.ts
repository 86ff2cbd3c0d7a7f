/** miniSEED 2 and 3: reading, writing, channel names and nanosecond times. */
export { ENCODINGS, encodingOfCode } from './encodings';
export type { EncodingInfo, EncodingName, SampleType, Samples } from './encodings';
export { formatProblem, readMseed, readMseedFile } from './reader';
export type { ChannelGap, MseedChannel, MseedContents, MseedSegment, RecordProblem } from './reader';
export type { MseedRecord } from './record';
export { summarizeMseed, timeStamp } from './summary';
export type { ChannelSummary, MseedFileSummary, TimeStamp } from './summary';
export { channelName, codesFromSourceId, parseChannel, sourceIdFromCodes } from './sourceId';
export type { ChannelCodes } from './sourceId';
export { formatNs, msToNs, nsToMs, sampleTimeNs } from './time';
export { encodeMseed, MseedWriteError, writeMseedFile } from './writer';
export type { MseedWriteChannel, MseedWriteOptions } from './writer';
