import { describe, expect, it } from 'vitest';
import type { RecordingChannelInfo } from '../../../preload/contract';
import { componentGroups, damagedRecords, describeContents } from './recordingSets';

function channel(network: string, station: string, location: string, code: string): RecordingChannelInfo {
  return {
    sourceId: `FDSN:${network}_${station}_${location}_${code.split('').join('_')}`,
    name: `${network}.${station}.${location}.${code}`,
    network,
    station,
    location,
    channel: code,
    sampleRate: 1,
    sampleType: 'int32',
    sampleCount: 1,
    startMs: 0,
    endMs: 0,
    startUtc: '',
    endUtc: '',
    gaps: [],
  };
}

describe('component groups', () => {
  it('groups the components of one instrument at one station, in channel-code order', () => {
    const groups = componentGroups([
      channel('IU', 'COLA', '00', 'LHZ'),
      channel('IU', 'COLA', '00', 'BHZ'),
      channel('IU', 'COLA', '00', 'LH1'),
      channel('NL', 'HGN', '00', 'BHZ'),
      channel('IU', 'COLA', '00', 'LH2'),
    ]);
    expect(groups.map((g) => [g.label, g.channels.map((c) => c.channel)])).toEqual([
      ['IU.COLA.00 LH?', ['LH1', 'LH2', 'LHZ']],
      ['IU.COLA.00 BH?', ['BHZ']],
      ['NL.HGN.00 BH?', ['BHZ']],
    ]);
  });
});

describe('recording set summaries', () => {
  it('count channels, stations and damaged records', () => {
    const set = {
      id: 'x',
      name: 'x',
      sourceDir: '/x',
      state: 'ready' as const,
      createdAt: '',
      channels: [
        channel('IU', 'COLA', '00', 'LHZ'),
        channel('IU', 'COLA', '00', 'LH1'),
        channel('NL', 'HGN', '00', 'BHZ'),
      ],
      files: [
        {
          path: '/x/a',
          size: 1,
          isMseed: true,
          problems: [
            { file: '/x/a', record: 3, offset: 1024, severity: 'error' as const, message: 'bad header' },
            { file: '/x/a', record: 4, offset: 1536, severity: 'warning' as const, message: 'odd' },
          ],
        },
      ],
    };
    expect(describeContents(set)).toBe('3 channels, 2 stations');
    expect(describeContents({ ...set, state: 'importing' })).toBe('importing');
    expect(damagedRecords(set)).toBe(1);
  });
});
