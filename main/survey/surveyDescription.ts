/** Plain, JSON-able descriptions of a SEG-Y file and an analysed survey: what the API, the CLI and the DB carry. */
import type { HeaderMapProposalInfo, SegyFileInfo, SurveyDescription } from '../../preload/contract';
import { SAMPLE_FORMATS } from '../segy/sampleFormats';
import type { SegyFile } from '../segy/reader';
import type { SurveyAnalysis } from './analyse';
import type { HeaderMapProposal } from './headerMap';

export type { SurveyDescription };

export function describeFile(file: SegyFile): SegyFileInfo {
  return {
    path: file.name,
    fileSize: file.fileSize,
    format: file.format,
    formatName: SAMPLE_FORMATS[file.format].description,
    revision: file.revision,
    byteOrder: file.byteOrder,
    textEncoding: file.textHeader.encoding,
    textHeader: [...file.textHeader.lines],
    extendedTextHeaders: file.extendedTextHeaders.length,
    samplesPerTrace: file.samplesPerTrace,
    sampleIntervalUs: file.sampleIntervalUs,
    traceCount: file.traceCount,
    warnings: [...file.warnings],
  };
}

export function describeProposal(proposal: HeaderMapProposal): HeaderMapProposalInfo {
  return {
    map: { ...proposal.map },
    confidence: proposal.confidence,
    alternatives: proposal.alternatives.map((a) => ({ ...a })),
    overridden: [...proposal.overridden],
  };
}

export function describeSurvey(file: SegyFile, { proposal, scan, geometry }: SurveyAnalysis): SurveyDescription {
  const { grid, line, gathers } = geometry;
  return {
    file: describeFile(file),
    kind: geometry.kind,
    headerMap: describeProposal(proposal),
    sampleAxis: { ...geometry.sampleAxis },
    grid: grid && {
      inlines: { ...grid.inlines },
      crosslines: { ...grid.crosslines },
      offsets: Array.from(grid.offsets),
      liveCells: grid.liveCells,
      duplicates: grid.duplicates,
      inlineSpacing: grid.coordinates?.inlineSpacing ?? null,
      crosslineSpacing: grid.coordinates?.crosslineSpacing ?? null,
      rotationDeg: grid.coordinates?.rotationDeg ?? null,
    },
    line: line && { traces: line.traceIndex.length, keyByte: line.keyByte },
    gathers: gathers
      ? {
          count: gathers.gatherKeys.length,
          maxFold: gathers.maxFold,
          gatherByte: gathers.gatherByte,
          channelByte: gathers.channelByte,
        }
      : geometry.kind === 'pre-stack-3d' && grid
        ? // browsed as one CMP gather per live cell (see importSurvey)
          { count: grid.liveCells, maxFold: grid.offsets.length, gatherByte: null, channelByte: null }
        : null,
    deadTraces: scan.deadTraceCount,
    warnings: [...file.warnings, ...geometry.warnings],
  };
}

/**
 * What the traces of an inline or crossline panel are called on screen: the other grid axis of a 3D survey; on a 2D
 * line "CDP" when CDP numbers (byte 21) order the line, else plain "trace".
 */
export function sectionTraceAxisName(
  description: Pick<SurveyDescription, 'grid' | 'line'>,
  axis: 'inline' | 'crossline',
): string {
  if (description.grid) return axis === 'inline' ? 'crossline' : 'inline';
  return description.line?.keyByte === 21 ? 'CDP' : 'trace';
}
