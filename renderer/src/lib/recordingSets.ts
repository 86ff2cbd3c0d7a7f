/** Pure helpers on recording sets for the sidebar and the recording view. */
import type { RecordingChannelInfo, RecordingSetSummary } from '../../../preload/contract';

/** The components of one instrument at one station (NET.STA.LOC and the band and instrument codes, e.g. LH?). */
export interface ComponentGroup {
  /** e.g. "IU.COLA.00 LH?" */
  label: string;
  channels: RecordingChannelInfo[];
}

/** Channels grouped as the views show them: the components of an instrument side by side, Z last as recorded. */
export function componentGroups(channels: readonly RecordingChannelInfo[]): ComponentGroup[] {
  const groups = new Map<string, RecordingChannelInfo[]>();
  for (const channel of channels) {
    const label = `${channel.network}.${channel.station}.${channel.location} ${channel.channel.slice(0, 2)}?`;
    groups.set(label, [...(groups.get(label) ?? []), channel]);
  }
  return [...groups].map(([label, members]) => ({
    label,
    channels: members.sort((a, b) => a.channel.localeCompare(b.channel)),
  }));
}

/** "3 channels, 1 station" for a ready set, else its state. */
export function describeContents(set: RecordingSetSummary): string {
  if (set.state !== 'ready') return set.state;
  const stations = new Set(set.channels.map((c) => `${c.network}.${c.station}`)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(set.channels.length, 'channel')}, ${plural(stations, 'station')}`;
}

/** Records of the set's files that could not be read (their samples are gaps). */
export function damagedRecords(set: RecordingSetSummary): number {
  return set.files.reduce((count, file) => count + file.problems.filter((p) => p.severity === 'error').length, 0);
}
