import { describe, expect, it } from 'vitest';
import type { TrainModelRequest } from '../../preload/contract';
import { parseModelConfig } from '../ml/modelConfig';
import { ensembleMembers, parseSweepText, sweepMembers } from './trainingMembers';

const base: TrainModelRequest = {
  kind: 'train-model',
  name: 'denoiser',
  task: 'denoise',
  config: parseModelConfig({ architecture: 'unet', params: { features: [8, 16], bottleneck: 16 } }),
  sources: [{ surveyId: 'abcdef12', cacheDir: '/p/cache' }],
  epochs: 4,
  batchSize: 8,
  patch: 32,
  learningRate: 1e-3,
  parentId: null,
  checkpointDir: '/p/training/x',
  resume: false,
};

describe('sweep files', () => {
  it('reads a YAML list of configurations', () => {
    const sweep = parseSweepText(
      '- { learningRate: 0.01 }\n- name: wide\n  params: { features: [16, 32] }\n',
      'sweep.yaml',
    );
    expect(sweep).toEqual([{ learningRate: 0.01 }, { name: 'wide', params: { features: [16, 32] } }]);
  });

  it('refuses a bad entry, naming the entry and the field', () => {
    expect(() => parseSweepText('[{"epochs": 2}, {"epochs": 0}]', 'sweep.json')).toThrow(
      /sweep.json: entry 2, field epochs: too small: expected number to be >=1/i,
    );
    expect(() => parseSweepText('- { learningRate: 0.01 }\n- { lr: 0.01 }\n', 'sweep.yaml')).toThrow(
      /sweep.yaml: entry 2, field lr: not something a sweep changes \(name, seed, config, params, epochs/,
    );
    expect(() => parseSweepText('learningRate: 0.01', 'sweep.yaml')).toThrow(/a sweep is a list of configurations/);
    expect(() => parseSweepText('- [', 'sweep.yaml')).toThrow(/sweep.yaml: not valid YAML or JSON/);
  });

  it("refuses params that do not fit the model's architecture, naming the entry and the field", async () => {
    const sweep = parseSweepText('- {}\n- { params: { features: [8, -1] } }\n', 'sweep.yaml');
    await expect(sweepMembers(base, sweep, '/p/cluster/t')).rejects.toThrow(
      /sweep entry 2, field params.features.1: too small: expected number to be >0/i,
    );
  });
});

describe('members', () => {
  it('gives an ensemble seeds 1..N, one checkpoint folder each, every one resuming', () => {
    const members = ensembleMembers(base, 3, '/p/cluster/t');
    expect(members.map((m) => m.seed)).toEqual([1, 2, 3]);
    expect(members.map((m) => m.checkpointDir)).toEqual([0, 1, 2].map((k) => `/p/cluster/t/model-${k}/checkpoint`));
    expect(members.map((m) => m.name)).toEqual([1, 2, 3].map((k) => `denoiser, member ${k} of 3`));
    expect(members.every((m) => m.resume)).toBe(true);
  });

  it("applies each sweep entry's changes to the training and its model's params", async () => {
    const sweep = parseSweepText(
      '- { learningRate: 0.01, epochs: 2 }\n- { name: wide, params: { features: [16, 32] } }\n',
      's',
    );
    const [first, second] = await sweepMembers(base, sweep, '/p/cluster/t');
    expect(first).toMatchObject({
      learningRate: 0.01,
      epochs: 2,
      config: base.config,
      name: 'denoiser, configuration 1 of 2',
    });
    expect(second).toMatchObject({
      name: 'wide',
      learningRate: 1e-3,
      config: { params: { features: [16, 32], bottleneck: 16 } },
    });
  });
});
