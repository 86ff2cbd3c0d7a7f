import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Project } from '../project/project';
import { sbatchOptions } from './clusterApply';
import { readClusterSettings, updateClusterSettings } from './clusterSettings';

const dir = mkdtempSync(path.join(os.tmpdir(), 'promethium-cluster-settings-'));
const project = Project.open(dir, { create: true });

afterAll(() => {
  project.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the project's cluster settings", () => {
  it('asks Slurm only for what is set: defaults leave partition, account, time, GPUs and memory to the cluster', () => {
    expect(sbatchOptions(readClusterSettings(project), 'job')).toEqual(['--job-name=job', '--cpus-per-task=1']);
  });

  it('keeps a change in the project and turns it into sbatch options', () => {
    updateClusterSettings(project, { partition: 'gpu', timeLimit: '02:00:00', gpusPerTask: 1, memoryPerTask: '16G' });
    const reopened = Project.open(dir, { create: false });
    try {
      expect(sbatchOptions(readClusterSettings(reopened), 'job')).toEqual([
        '--job-name=job',
        '--cpus-per-task=1',
        '--partition=gpu',
        '--time=02:00:00',
        '--gres=gpu:1',
        '--mem=16G',
      ]);
    } finally {
      reopened.close();
    }
  });

  it('refuses a value Slurm would not take, naming the setting, and keeps the stored ones', () => {
    expect(() => updateClusterSettings(project, { memoryPerTask: '16 GB' })).toThrow(
      /cluster setting memoryPerTask: a Slurm memory size such as 4000M or 16G/,
    );
    expect(readClusterSettings(project).memoryPerTask).toBe('16G');
  });
});
