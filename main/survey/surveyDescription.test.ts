import { describe, expect, it } from 'vitest';
import type { SurveyDescription } from '../../preload/contract';
import { sectionTraceAxisName } from './surveyDescription';

// Only the grid's presence matters to the naming.
const grid = {} as NonNullable<SurveyDescription['grid']>;

describe('sectionTraceAxisName', () => {
  it('names the other grid axis on a 3D survey', () => {
    expect(sectionTraceAxisName({ grid, line: null }, 'inline')).toBe('crossline');
    expect(sectionTraceAxisName({ grid, line: null }, 'crossline')).toBe('inline');
  });

  it('calls the traces of a 2D line CDPs when CDP numbers order it, else traces', () => {
    expect(sectionTraceAxisName({ grid: null, line: { traces: 10, keyByte: 21 } }, 'inline')).toBe('CDP');
    expect(sectionTraceAxisName({ grid: null, line: { traces: 10, keyByte: 193 } }, 'inline')).toBe('trace');
    expect(sectionTraceAxisName({ grid: null, line: { traces: 10, keyByte: null } }, 'inline')).toBe('trace');
  });
});
