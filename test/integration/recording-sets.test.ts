/**
 * Recording sets through the real services and the API's dispatcher (validation and path fence included): a folder of
 * generated miniSEED files (a channel split over two files, a damaged record, a stray text file) imported by the
 * compute process into the project, read back as waveform and spectrogram windows, kept in the database across a
 * restart, removed; then the real files of ../shared/testdata/mseed, and the CLI (`node scripts/build.mjs` first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobInfo, RecordingAnomalies, RecordingSetSummary } from '../../preload/contract';
import { createDispatcher } from '../../main/api/dispatch';
import { createApiHandlers } from '../../main/api/handlers';
import { dataRootsFence } from '../../main/api/pathFence';
import { encodeMseed } from '../../main/passive/mseed/writer';
import { seededRandom } from '../../main/signal/random';
import type { AppServices } from '../../main/workflows/services';
import { jobWhen, openServices } from '../support/services';
import { testdataPath } from '../testdata';

const work = mkdtempSync(path.join(os.tmpdir(), 'promethium-recordings-'));
const home = path.join(work, 'home');
const folder = path.join(work, 'station-visit');
let services: AppServices;
let call: (method: string, ...args: unknown[]) => Promise<unknown>;

function connect(): void {
  // WebAssembly: the anomaly search trains the spectrogram autoencoder, far too slow on tfjs's plain-JS backend.
  services = openServices({ home, backend: 'wasm' });
  const dispatch = createDispatcher(createApiHandlers(services), dataRootsFence([work, testdataPath()]));
  call = async (method, ...args) => {
    const outcome = await dispatch(method, args);
    if (!outcome.ok) throw Object.assign(new Error(outcome.error.message), { code: outcome.error.code });
    return outcome.value;
  };
}

beforeAll(() => {
  mkdirSync(home);
  connect();
});
afterAll(() => {
  services?.close();
  rmSync(work, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000_000_000n; // 2023-11-14T22:13:20Z
const T0_MS = 1_700_000_000_000;
const SECOND = 1_000_000_000n;
const HHZ = 'FDSN:XX_VIS_00_H_H_Z';
const random = seededRandom(11);
const hhz = Int32Array.from({ length: 12_000 }, () => Math.round((random() - 0.5) * 5000));
const STEIM2 = { formatVersion: 2, encoding: 'steim2', recordLength: 512 } as const;

/** HHZ over two files (60 s each, continuous), the second with its 3rd record's header destroyed; HHN; notes. */
function writeFolder(): { damagedOffset: number } {
  mkdirSync(path.join(folder, 'day2'), { recursive: true });
  const first = encodeMseed(
    { channel: 'XX.VIS.00.HHZ', startNs: T0, sampleRate: 100, samples: hhz.subarray(0, 6000) },
    STEIM2,
  );
  const second = encodeMseed(
    { channel: 'XX.VIS.00.HHZ', startNs: T0 + 60n * SECOND, sampleRate: 100, samples: hhz.subarray(6000) },
    STEIM2,
  );
  const damagedOffset = 2 * 512;
  second.fill(0, damagedOffset, damagedOffset + 48);
  const hhn = encodeMseed(
    { channel: 'XX.VIS.00.HHN', startNs: T0, sampleRate: 100, samples: Float32Array.from(hhz.subarray(0, 3000)) },
    { ...STEIM2, encoding: 'float32' },
  );
  writeFileSync(path.join(folder, 'hhz-1.mseed'), first);
  writeFileSync(path.join(folder, 'day2', 'hhz-2.mseed'), second);
  writeFileSync(path.join(folder, 'hhn.mseed'), hhn);
  writeFileSync(path.join(folder, 'notes.txt'), 'cable replaced at 22:15');
  return { damagedOffset };
}

async function importFolder(dir: string): Promise<{ set: RecordingSetSummary; job: JobInfo }> {
  const { recordingSet, job } = (await call('recordings.import', { dir })) as {
    recordingSet: RecordingSetSummary;
    job: JobInfo;
  };
  expect(recordingSet.state).toBe('importing');
  const done = await jobWhen(services, job.id);
  return { set: (await call('recordings.get', recordingSet.id)) as RecordingSetSummary, job: done };
}

describe('recording sets in a project', () => {
  let setId = '';
  let damagedOffset = 0;

  it('imports a folder: channels joined across files, the damaged record named by file, record and byte', async () => {
    ({ damagedOffset } = writeFolder());
    const { set, job } = await importFolder(folder);
    expect(job.state).toBe('done');
    setId = set.id;
    expect(set).toMatchObject({ state: 'ready', name: 'station-visit', sourceDir: folder });
    expect(set.channels.map((c) => [c.name, c.sampleRate, c.sampleType])).toEqual([
      ['XX.VIS.00.HHN', 100, 'float32'],
      ['XX.VIS.00.HHZ', 100, 'int32'],
    ]);
    const z = set.channels[1]!;
    expect(z).toMatchObject({ network: 'XX', station: 'VIS', location: '00', channel: 'HHZ' });
    expect(z.startUtc).toBe('2023-11-14T22:13:20.000000000Z');
    expect(z.endUtc).toBe('2023-11-14T22:15:19.990000000Z');
    // The damaged record's samples are missing: one gap in day 2, none between the files.
    expect(z.gaps).toHaveLength(1);
    expect(z.gaps[0]!.afterMs).toBeGreaterThan(T0_MS + 60_000);
    expect(z.sampleCount).toBeLessThan(12_000);
    const damaged = set.files.find((f) => f.path.endsWith('hhz-2.mseed'))!;
    expect(damaged.problems).toEqual([
      expect.objectContaining({ file: damaged.path, record: 3, offset: damagedOffset, severity: 'error' }),
    ]);
    expect(set.files.find((f) => f.path.endsWith('notes.txt'))).toMatchObject({ isMseed: false, problems: [] });
  });

  it('reads a window across the two files exactly, and a day-long window as min/max columns', async () => {
    const across = (await call('recordings.waveform', {
      setId,
      sourceIds: [HHZ],
      startMs: T0_MS + 59_000,
      endMs: T0_MS + 61_000,
      columns: 1000,
    })) as { traces: { samplesPerColumn: number; pieces: { min: Float32Array }[] }[] };
    expect(across.traces[0]!.samplesPerColumn).toBe(1);
    expect(Array.from(across.traces[0]!.pieces[0]!.min)).toEqual(Array.from(hhz.subarray(5900, 6100)));
    const day = (await call('recordings.waveform', {
      setId,
      sourceIds: [HHZ, 'FDSN:XX_VIS_00_H_H_N'],
      startMs: T0_MS - 43_200_000,
      endMs: T0_MS + 43_200_000,
      columns: 2000,
      detrend: true,
      bandpass: [1, 20],
    })) as { traces: { name: string; pieces: unknown[] }[] };
    expect(day.traces.map((t) => [t.name, t.pieces.length])).toEqual([
      ['XX.VIS.00.HHZ', 2],
      ['XX.VIS.00.HHN', 1],
    ]);
  });

  it('computes the spectrogram of a window with the seed settings', async () => {
    const result = (await call('recordings.spectrogram', {
      setId,
      sourceId: HHZ,
      startMs: T0_MS,
      endMs: T0_MS + 120_000,
      columns: 60,
    })) as { columns: number; frequencies: Float32Array; decibels: Float32Array; settings: object };
    expect(result.columns).toBe(60);
    expect(result.frequencies.length).toBe(129);
    expect(result.settings).toEqual({ nperseg: 256, noverlap: 192, nfft: 256 });
    expect(Number.isFinite(result.decibels[10 * 129 + 40])).toBe(true);
  });

  it('refuses bad requests with messages that name the problem', async () => {
    const window = { setId, sourceIds: [HHZ], columns: 100 };
    await expect(call('recordings.waveform', { ...window, startMs: 0, endMs: 3 * 86_400_000 })).rejects.toThrow(
      /two days at most/,
    );
    await expect(call('recordings.waveform', { ...window, startMs: 0, endMs: 1000, bandpass: [5, 2] })).rejects.toThrow(
      /low corner must be below the high corner/,
    );
    await expect(
      call('recordings.waveform', { ...window, startMs: T0_MS, endMs: T0_MS + 1000, bandpass: [60, 70] }),
    ).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringMatching(/at or above Nyquist \(50 Hz\)/),
    });
    await expect(
      call('recordings.waveform', { ...window, sourceIds: ['FDSN:XX_VIS_00_H_H_E'], startMs: 0, endMs: 1000 }),
    ).rejects.toMatchObject({ code: 'not-found', message: 'the recording set has no channel XX.VIS.00.HHE' });
    await expect(call('recordings.get', '0123456789abcdef')).rejects.toThrow(/no recording set 0123456789abcdef/);
    await expect(call('recordings.import', { dir: os.homedir() })).rejects.toMatchObject({ code: 'invalid-argument' });
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'readme.txt'), 'nothing recorded');
    const { set, job } = await importFolder(empty);
    expect(set.state).toBe('failed');
    expect(job.error?.message).toMatch(/no miniSEED record found in 1 file/);
  });

  it('keeps the set in the project database across a restart, then removes it and its cache', async () => {
    const before = (await call('recordings.get', setId)) as RecordingSetSummary;
    services.close();
    connect();
    const after = (await call('recordings.get', setId)) as RecordingSetSummary;
    expect(after).toEqual(before);
    const cacheDir = services.project.recordings.get(setId)!.cacheDir;
    expect(existsSync(cacheDir)).toBe(true);
    await call('recordings.remove', setId);
    expect(existsSync(cacheDir)).toBe(false);
    expect(((await call('recordings.list')) as RecordingSetSummary[]).map((s) => s.id)).not.toContain(setId);
  });
});

const MSEED_DIR = testdataPath('mseed');

describe.skipIf(!existsSync(path.join(MSEED_DIR, 'REFERENCE.jsonl')))('the real miniSEED files', () => {
  let realSetId = '';

  it('imports ../shared/testdata/mseed: 4 channels; the same record in miniSEED 2 and 3 shows as an overlap', async () => {
    const { set } = await importFolder(MSEED_DIR);
    expect(set.channels.map((c) => [c.name, c.sampleRate, c.startUtc])).toEqual([
      ['IU.COLA.00.LH1', 1, '2010-02-27T06:50:00.069539000Z'],
      ['IU.COLA.00.LH2', 1, '2010-02-27T06:50:00.069539000Z'],
      ['IU.COLA.00.LHZ', 1, '2010-02-27T06:50:00.069539000Z'],
      ['NL.HGN.00.BHZ', 40, '2003-05-29T02:13:22.043400000Z'],
    ]);
    expect(set.channels[0]!.gaps.map((g) => g.durationMs)).toEqual([-4_200_000]);
    expect(set.channels[3]).toMatchObject({ sampleCount: 11_947, gaps: [], endUtc: '2003-05-29T02:18:20.693400000Z' });
    expect(set.files.filter((f) => f.isMseed).map((f) => path.basename(f.path))).toEqual([
      'test.mseed',
      'testdata-3channel-signal.mseed2',
      'testdata-3channel-signal.mseed3',
    ]);
    realSetId = set.id;
  });

  it('ranks the windows of the three IU.COLA components by anomaly score, kept for the view', async () => {
    const sourceIds = ['FDSN:IU_COLA_00_L_H_1', 'FDSN:IU_COLA_00_L_H_2', 'FDSN:IU_COLA_00_L_H_Z'];
    await expect(call('recordings.anomalies', { setId: realSetId, sourceIds })).resolves.toBeNull();
    const job = (await call('recordings.detect', { setId: realSetId, sourceIds, epochs: 2 })) as JobInfo;
    expect(job.title).toBe('Find anomalies in mseed (IU.COLA.00.LH1, IU.COLA.00.LH2, IU.COLA.00.LHZ)');
    const done = await jobWhen(services, job.id);
    expect(done.error).toBeNull();
    const ranking = (await call('recordings.anomalies', { setId: realSetId, sourceIds })) as RecordingAnomalies;
    expect(ranking).toMatchObject({ epochs: 2, channels: ['IU.COLA.00.LH1', 'IU.COLA.00.LH2', 'IU.COLA.00.LHZ'] });
    const scores = ranking.windows.map((w) => w.score);
    expect(scores.length).toBeGreaterThan(50);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    // Windows of 16 STFT frames of 32 samples every 8 at 1 sps: 152 s, inside the record.
    const first = ranking.windows[0]!;
    expect(first.endMs - first.startMs).toBe(152_000);

    const twoStations = (await call('recordings.detect', {
      setId: realSetId,
      sourceIds: ['FDSN:IU_COLA_00_L_H_Z', 'FDSN:NL_HGN_00_B_H_Z'],
      epochs: 1,
    })) as JobInfo;
    const refused = await jobWhen(services, twoStations.id);
    expect(refused.error).toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('several stations'),
    });
  }, 120_000);
});

describe('promethium recordings', () => {
  function promethium(...args: string[]): { status: number; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['bin/promethium.cjs', ...args], {
      encoding: 'utf8',
      env: { ...process.env, PROMETHIUM_HOME: path.join(work, 'cli-home'), PROMETHIUM_BACKEND: 'cpu' },
    });
    return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  it('imports a folder into a project and lists it, damaged records included', () => {
    const project = path.join(work, 'cli-project');
    const imported = promethium('recordings', 'import', folder, '--project', project, '--name', 'visit');
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/^imported visit \([0-9a-f-]+, ready\)/);
    const listed = promethium('recordings', 'list', '--project', project);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/XX\.VIS\.00\.HHZ\s+100 Hz {2}2023-11-14T22:13:20\.000000000Z to .* 1 gap/);
    expect(listed.stdout).toMatch(/hhz-2\.mseed: record 3 \(byte 1024\): /);
    expect(listed.stdout).toMatch(/3 miniSEED files, 1 other skipped/);
    const missing = promethium('recordings', 'import', path.join(work, 'nowhere'), '--project', project);
    expect(missing.status).toBe(4);
    expect(missing.stderr).toMatch(/nowhere: no such file or folder/);
  });
});
