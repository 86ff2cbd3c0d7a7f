/**
 * The whole import analysis of an open SEG-Y file: propose a header map from a sample of trace headers, scan
 * every trace once for the chosen keys, and build the geometry.
 */
import { sampleTraceHeaders, scanSegy } from '../segy/scan';
import type { ScanProgress, ScanResult } from '../segy/scan';
import type { SegyFile } from '../segy/reader';
import { buildGeometry } from './geometry';
import type { Geometry } from './geometry';
import { HEADER_MAP_FIELDS, detectHeaderMap } from './headerMap';
import type { HeaderMap, HeaderMapProposal } from './headerMap';
import { sampleAxisOf } from './scalars';
import type { VerticalDomain } from './scalars';

export interface AnalyseOptions {
  /** Header positions the user fixed (saved per survey). */
  readonly headerMap?: Partial<HeaderMap>;
  readonly domain?: VerticalDomain;
  readonly onProgress?: (progress: ScanProgress) => void;
  readonly signal?: AbortSignal;
}

export interface SurveyAnalysis {
  readonly proposal: HeaderMapProposal;
  readonly scan: ScanResult;
  readonly geometry: Geometry;
}

/** Header positions the geometry reads besides the map's own (gather keys, channel). */
const GEOMETRY_EXTRA_FIELDS = [9, 13, 17, 21];

export async function analyseSurvey(file: SegyFile, options: AnalyseOptions = {}): Promise<SurveyAnalysis> {
  const { proposal, headerFields } = await proposeHeaderMap(file, options.headerMap);
  const scan = await scanSegy(file, { headerFields, onProgress: options.onProgress, signal: options.signal });
  return analysisOfScan(file, proposal, scan, options.domain);
}

/**
 * The header map proposed from a sample of trace headers, and the header positions the scan must collect for it.
 * Deterministic for a file and a user's map: a cluster import's tasks and final steps each get the same answer.
 */
export async function proposeHeaderMap(
  file: SegyFile,
  headerMap?: Partial<HeaderMap>,
): Promise<{ proposal: HeaderMapProposal; headerFields: number[] }> {
  const sample = await sampleTraceHeaders(file, HEADER_MAP_FIELDS);
  const proposal = detectHeaderMap(sample, file.traceCount, headerMap);
  const { map } = proposal;
  const headerFields = [
    ...new Set([
      map.inline,
      map.crossline,
      map.offset,
      map.cdpX,
      map.cdpY,
      map.coordinateScalar,
      ...GEOMETRY_EXTRA_FIELDS,
    ]),
  ];
  return { proposal, headerFields };
}

/** The geometry built from a scan of every trace (one pass, or the merged parts of a split scan). */
export async function analysisOfScan(
  file: SegyFile,
  proposal: HeaderMapProposal,
  scan: ScanResult,
  domain?: VerticalDomain,
): Promise<SurveyAnalysis> {
  const firstTrace = file.traceCount > 0 ? await file.readTraceHeader(0) : null;
  const sampleAxis = sampleAxisOf(file, firstTrace, { domain });
  const geometry = buildGeometry({
    traceCount: file.traceCount,
    fields: scan.fields,
    headerMap: proposal.map,
    sampleAxis,
  });
  return { proposal, scan, geometry };
}
