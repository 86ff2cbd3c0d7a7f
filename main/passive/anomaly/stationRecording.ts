/**
 * The components of one station as aligned sample arrays: what the spectrogram autoencoder takes. A station is
 * `NET.STA.LOC`; its components are its channels of one band and instrument (the first two letters of the channel code,
 * e.g. LH1, LH2, LHZ), in channel-code order. Where a component has gaps, its longest gap-free segment is used, cut
 * with the others' to the span they share, so that every window sees every component at the same time.
 */
import { channelName, codesFromSourceId, sampleTimeNs, type Samples } from '../mseed';

/** A continuous run of samples of a channel. */
interface ChannelSegment {
  startNs: bigint;
  sampleRate: number;
  samples: Samples;
}

/**
 * What a station's recording is built from: each channel's continuous segments, as the miniSEED reader gives them
 * for one file (MseedChannel) or the recording cache for a folder whose channels continue from file to file.
 */
export interface ChannelSegments {
  sourceId: string;
  segments: readonly ChannelSegment[];
}

export interface StationRecording {
  /** `NET.STA.LOC`. */
  station: string;
  /** `NET.STA.LOC.CHA` of each component, in the order of `components`. */
  channels: string[];
  sampleRate: number;
  /** Time of the first sample of every component, ns since 1970 (UTC). */
  startNs: bigint;
  /** One array per component, all the same length. */
  components: Float32Array[];
}

/** The files do not hold one station's components in a usable way (several stations, instruments or rates). */
export class StationSelectionError extends Error {
  readonly apiCode = 'invalid-argument';
}

function stationOf(channel: ChannelSegments): string {
  const { network, station, location } = codesFromSourceId(channel.sourceId);
  return `${network}.${station}.${location}`;
}

/** The station's components (all stations when `station` is omitted must be exactly one, else it must be named). */
export function stationRecording(channels: readonly ChannelSegments[], station?: string): StationRecording {
  const stations = [...new Set(channels.map(stationOf))].sort();
  const chosen = station ?? (stations.length === 1 ? stations[0] : undefined);
  if (chosen === undefined) {
    throw new StationSelectionError(
      stations.length === 0
        ? 'the recording holds no channel'
        : `the recording holds several stations (${stations.join(', ')}): name one with --station NET.STA.LOC`,
    );
  }
  const ofStation = channels.filter((channel) => stationOf(channel) === chosen);
  if (ofStation.length === 0) {
    throw new StationSelectionError(`no channel of station ${chosen} (stations: ${stations.join(', ')})`);
  }
  const components = componentsOfOneInstrument(ofStation, chosen);
  return alignComponents(chosen, components);
}

function componentsOfOneInstrument(channels: ChannelSegments[], station: string): ChannelSegments[] {
  const instrument = (channel: ChannelSegments) => codesFromSourceId(channel.sourceId).channel.slice(0, 2);
  const instruments = [...new Set(channels.map(instrument))].sort();
  if (instruments.length > 1) {
    throw new StationSelectionError(
      `station ${station} has channels of several instruments (${instruments.map((i) => `${i}?`).join(', ')}); ` +
        'give a file or folder that holds one of them',
    );
  }
  return [...channels].sort((a, b) => channelName(a.sourceId).localeCompare(channelName(b.sourceId)));
}

function segmentEndNs(segment: ChannelSegment): bigint {
  return sampleTimeNs(segment.startNs, segment.samples.length, segment.sampleRate);
}

function longestSegment(channel: ChannelSegments): ChannelSegment {
  const byLength = [...channel.segments].sort((a, b) => b.samples.length - a.samples.length);
  const longest = byLength[0];
  if (!longest) throw new StationSelectionError(`${channelName(channel.sourceId)} holds no samples`);
  return longest;
}

/** Cuts each component's longest segment to the span they share, on the first component's sample grid. */
function alignComponents(station: string, channels: ChannelSegments[]): StationRecording {
  const segments = channels.map(longestSegment);
  const first = segments[0]!;
  const sampleRate = first.sampleRate;
  const names = channels.map((channel) => channelName(channel.sourceId));
  if (segments.some((segment) => segment.sampleRate !== sampleRate)) {
    throw new StationSelectionError(
      `the components of ${station} have different sample rates (${segments.map((s, i) => `${names[i]}: ${s.sampleRate} Hz`).join(', ')})`,
    );
  }
  const startNs = segments.reduce((latest, s) => (s.startNs > latest ? s.startNs : latest), first.startNs);
  const endNs = segments.reduce((earliest, s) => {
    const end = segmentEndNs(s);
    return end < earliest ? end : earliest;
  }, segmentEndNs(first));
  const length = Math.floor((Number(endNs - startNs) / 1e9) * sampleRate + 1e-6);
  if (length <= 0) throw new StationSelectionError(`the components of ${station} share no time span`);
  const components = segments.map((segment) => {
    const offset = Math.round((Number(startNs - segment.startNs) / 1e9) * sampleRate);
    return Float32Array.from(segment.samples.subarray(offset, offset + length) as ArrayLike<number>);
  });
  return { station, channels: names, sampleRate, startNs, components };
}
