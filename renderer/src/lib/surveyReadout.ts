/**
 * The status bar's readout for the sample under the cursor in the survey view: where it is (line numbers, time or
 * depth, offset) in the interpreter's numbers, and its amplitude.
 */
import type { ArbitraryLineData, SectionData, SurveyDescription } from '../../../preload/contract';
import type { CursorReadout } from './appState.svelte';
import { formatAmplitude } from './format';

/** A sample of the section under the cursor (the viewer's HoverSample). */
export interface SampleUnderCursor {
  trace: number;
  sample: number;
  value: number | null;
  live: boolean;
}

/** `here` is the section's own number: its line number, its time, or its gather's ordinal. */
export function sampleReadout(
  section: SectionData | ArbitraryLineData,
  sample: SampleUnderCursor,
  here: number,
  description: SurveyDescription,
): CursorReadout {
  const grid = description.grid;
  const key = section.traceAxis.values[sample.trace] ?? sample.trace;
  const vertical = section.sampleAxis.start + sample.sample * section.sampleAxis.interval;
  const unit = section.sampleAxis.unit;
  const verticalName = description.sampleAxis.domain === 'depth' ? 'z' : 't';
  const items: [string, string][] = [];
  if (section.axis === 'arbitrary') {
    const { cells } = section as ArbitraryLineData;
    items.push(
      ['IL', String(cells.inlines[sample.trace])],
      ['XL', String(cells.crosslines[sample.trace])],
      [verticalName, `${vertical} ${unit}`],
    );
  } else if (section.axis === 'inline') {
    if (grid) items.push(['IL', String(here)]);
    items.push([grid ? 'XL' : 'trace', String(key)], [verticalName, `${vertical} ${unit}`]);
  } else if (section.axis === 'crossline') {
    items.push(['IL', String(key)], ['XL', String(here)], [verticalName, `${vertical} ${unit}`]);
  } else if (section.axis === 'time') {
    items.push(['IL', String(key)], ['XL', String(vertical)], [verticalName, `${here} ${description.sampleAxis.unit}`]);
  } else {
    items.push(
      ['gather', section.label.replace(/^Gather /, '')],
      ['offset', String(key)],
      ['trace', String(sample.trace + 1)],
      ['t', `${vertical} ${unit}`],
    );
  }
  items.push(['amp', sample.live && sample.value !== null ? formatAmplitude(sample.value) : 'dead trace']);
  return { items, dead: !sample.live };
}
