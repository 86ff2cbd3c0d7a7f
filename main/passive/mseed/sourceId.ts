/**
 * Channel names. miniSEED 3 names a channel by its FDSN source identifier (`FDSN:IU_COLA_00_L_H_Z`); miniSEED 2 by
 * network, station, location and channel codes (`IU.COLA.00.LHZ`), mapped to the same identifier as libmseed does,
 * so that one recording written in both versions gives the same channels.
 */

export interface ChannelCodes {
  network: string;
  station: string;
  location: string;
  channel: string;
}

const PREFIX = 'FDSN:';

/** `FDSN:NET_STA_LOC_B_S_S` from miniSEED 2 codes (a 3-letter channel splits into band, source and subsource). */
export function sourceIdFromCodes(codes: ChannelCodes): string {
  const channel = codes.channel.length === 3 ? codes.channel.split('').join('_') : codes.channel;
  return `${PREFIX}${codes.network}_${codes.station}_${codes.location}_${channel}`;
}

/** The codes of an FDSN source identifier; anything else is kept whole as the station code. */
export function codesFromSourceId(sourceId: string): ChannelCodes {
  const parts = sourceId.startsWith(PREFIX) ? sourceId.slice(PREFIX.length).split('_') : [];
  if (parts.length < 4) return { network: '', station: sourceId, location: '', channel: '' };
  const [network, station, location, ...channel] = parts as [string, string, string, ...string[]];
  return { network, station, location, channel: channel.join(channel.every((part) => part.length === 1) ? '' : '_') };
}

/** The familiar `NET.STA.LOC.CHA` name of a channel. */
export function channelName(sourceId: string): string {
  const { network, station, location, channel } = codesFromSourceId(sourceId);
  return channel || network ? `${network}.${station}.${location}.${channel}` : station;
}

/** A channel given as `NET.STA.LOC.CHA` or as an FDSN source identifier, as a source identifier. */
export function parseChannel(name: string): string {
  if (name.startsWith(PREFIX)) return name;
  const parts = name.split('.');
  if (parts.length !== 4) {
    throw new Error(`'${name}' is not a channel: give NET.STA.LOC.CHA (e.g. IU.COLA.00.LHZ) or an FDSN source id`);
  }
  const [network, station, location, channel] = parts as [string, string, string, string];
  return sourceIdFromCodes({ network, station, location, channel });
}
