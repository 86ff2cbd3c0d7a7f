import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Project } from './project';
import type { RecordingSetContents } from './recordingSetsRepository';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-recording-sets-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Times past 2^53 ns with odd nanoseconds: a double would round them. */
const START = 1_267_253_400_069_539_001n;
const contents: RecordingSetContents = {
  files: [
    { path: '/data/a.mseed', size: 4096, isMseed: true, problems: [] },
    {
      path: '/data/b.mseed',
      size: 8192,
      isMseed: true,
      problems: [{ file: '/data/b.mseed', record: 2, offset: 4096, severity: 'error', message: 'bad header' }],
    },
  ],
  channels: [
    {
      sourceId: 'FDSN:IU_COLA_00_L_H_Z',
      network: 'IU',
      station: 'COLA',
      location: '00',
      channel: 'LHZ',
      sampleRate: 1,
      sampleType: 'int32',
      sampleCount: 4200,
      startNs: START,
      endNs: START + 4_199_000_000_001n,
      gaps: [{ afterNs: START + 99n, beforeNs: START + 5_000_000_000n, durationNs: -3n }],
    },
  ],
};

describe('recording sets repository', () => {
  it('keeps files, problems, channels and gaps, with nanosecond times exact', () => {
    const project = Project.open(path.join(work, 'project'), { create: true });
    try {
      project.recordings.insertImporting({ id: 'set-1', name: 'COLA', sourceDir: '/data', cacheDir: '/cache/set-1' });
      expect(project.recordings.get('set-1')).toMatchObject({ state: 'importing', files: [], channels: [] });
      project.recordings.markReady('set-1', contents);
      const stored = project.recordings.get('set-1')!;
      expect(stored).toMatchObject({ state: 'ready', name: 'COLA', sourceDir: '/data', cacheDir: '/cache/set-1' });
      expect({ files: stored.files, channels: stored.channels }).toEqual(contents);
      project.recordings.remove('set-1');
      expect(project.recordings.list()).toEqual([]);
      const left = project.db.prepare('SELECT COUNT(*) AS n FROM recording_gaps').get() as { n: number };
      expect(left.n).toBe(0);
    } finally {
      project.close();
    }
  });

  it('marks imports left unfinished by a previous run as failed', () => {
    const project = Project.open(path.join(work, 'project'), { create: true });
    try {
      project.recordings.insertImporting({ id: 'set-2', name: 'x', sourceDir: '/data', cacheDir: '/cache/set-2' });
      expect(project.recordings.markUnfinishedFailed()).toBe(1);
      expect(project.recordings.get('set-2')!.state).toBe('failed');
    } finally {
      project.close();
    }
  });
});
