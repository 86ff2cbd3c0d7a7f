import type { RecordingChannelInfo } from '../../../preload/contract';

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
