/**
 * Map coordinates of a synthetic survey: a regular grid of square bins, slightly rotated from north as real surveys
 * are, numbered like field data (inlines and crosslines do not start at 1).
 */
export interface SurveyGrid {
  readonly firstInline: number;
  readonly firstCrossline: number;
  /** Map coordinates (m) of the first bin (first inline, first crossline). */
  readonly originX: number;
  readonly originY: number;
  /** Azimuth of the direction of increasing crossline numbers, degrees clockwise from north. */
  readonly azimuthDeg: number;
  readonly binM: number;
}

export const DEFAULT_GRID: SurveyGrid = {
  firstInline: 1000,
  firstCrossline: 2000,
  originX: 431_250,
  originY: 6_521_400,
  azimuthDeg: 12,
  binM: 25,
};

/** SEG-Y coordinate scalar -100: coordinates are written in centimetres, so bin centres keep their decimals. */
export const COORDINATE_SCALAR = -100;

export interface MapPoint {
  readonly x: number;
  readonly y: number;
}

/** Unit vectors of the crossline (along-inline) and inline directions on the map. */
function gridAxes(grid: SurveyGrid): { alongInline: MapPoint; acrossInlines: MapPoint } {
  const a = (grid.azimuthDeg * Math.PI) / 180;
  return { alongInline: { x: Math.sin(a), y: Math.cos(a) }, acrossInlines: { x: Math.cos(a), y: -Math.sin(a) } };
}

/** Map position of the bin at grid indices (inline, crossline), counted from 0. */
export function binCentre(grid: SurveyGrid, inline: number, crossline: number): MapPoint {
  const { alongInline, acrossInlines } = gridAxes(grid);
  return {
    x: grid.originX + grid.binM * (crossline * alongInline.x + inline * acrossInlines.x),
    y: grid.originY + grid.binM * (crossline * alongInline.y + inline * acrossInlines.y),
  };
}

/** Source and receiver of a CMP trace: half the offset either side of the bin centre, along the inline. */
export function sourceAndReceiver(grid: SurveyGrid, centre: MapPoint, offsetM: number): [MapPoint, MapPoint] {
  const { alongInline } = gridAxes(grid);
  const half = offsetM / 2;
  return [
    { x: centre.x - half * alongInline.x, y: centre.y - half * alongInline.y },
    { x: centre.x + half * alongInline.x, y: centre.y + half * alongInline.y },
  ];
}

/** A map coordinate as written in a trace header with COORDINATE_SCALAR. */
export function scaledCoordinate(metres: number): number {
  return Math.round(metres * -COORDINATE_SCALAR);
}
