import { describe, expect, it } from 'vitest';
import {
  adapterFlag,
  GpuSelectionError,
  gpusInUse,
  listGpuAdapters,
  parseAdapterList,
  parseGpuSelection,
} from './gpuAdapters';

// dawn.node's refusal when no adapter has the asked name (src/dawn/node/binding/GPU.cpp), on a machine with an H100,
// an older card and Mesa's software renderer.
const REFUSAL = [
  'no suitable backends found',
  'Available adapters:',
  " * backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3'",
  " * backend: 'vulkan', name: 'NVIDIA RTX A4000'",
  " * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'",
].join('\n');

const adapters = parseAdapterList(REFUSAL);

describe('listing adapters', () => {
  it("reads every adapter of dawn.node's refusal, in Dawn's order", () => {
    expect(adapters).toEqual([
      { index: 0, backend: 'vulkan', name: 'NVIDIA H100 80GB HBM3' },
      { index: 1, backend: 'vulkan', name: 'NVIDIA RTX A4000' },
      { index: 2, backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)' },
    ]);
  });

  it('asks Dawn for an adapter no GPU has, and reads the refusal', async () => {
    const flagsSeen: string[][] = [];
    const create = (flags: string[]) => {
      flagsSeen.push(flags);
      return { requestAdapter: () => Promise.reject(new Error(REFUSAL)) };
    };
    expect(await listGpuAdapters(create, ['enable-dawn-features=x'])).toEqual(adapters);
    expect(flagsSeen[0]?.[0]).toBe('enable-dawn-features=x');
    expect(flagsSeen[0]?.[1]).toMatch(/^adapter=/);
  });

  it('lists none where Dawn finds no adapter (no Vulkan driver)', async () => {
    const create = () => ({ requestAdapter: () => Promise.resolve(null) });
    expect(await listGpuAdapters(create, [])).toEqual([]);
  });
});

describe('PROMETHIUM_GPUS', () => {
  it('uses every hardware adapter when unset', () => {
    expect(parseGpuSelection(undefined, adapters)).toEqual([0, 1]);
    expect(parseGpuSelection(' ', adapters)).toEqual([0, 1]);
  });

  it('takes the named adapters in the order given', () => {
    expect(parseGpuSelection('1,0', adapters)).toEqual([1, 0]);
    expect(parseGpuSelection(' 2 ', adapters)).toEqual([2]);
  });

  it('refuses what names no adapter, with the adapters there are', () => {
    expect(() => parseGpuSelection('0,3', adapters)).toThrow(
      /PROMETHIUM_GPUS=0,3: no GPU 3; this machine's GPUs are 0 \(NVIDIA H100 80GB HBM3\), 1/,
    );
    expect(() => parseGpuSelection('0,x', adapters)).toThrow(/'x' is not a GPU number/);
    expect(() => parseGpuSelection('1,1', adapters)).toThrow(/GPU 1 is named twice/);
    expect(() => parseGpuSelection('0', [])).toThrow(/this machine has no GPU that Dawn can use/);
    expect(() => parseGpuSelection('-1', adapters)).toThrow(GpuSelectionError);
  });
});

describe('pinning a worker to its adapter', () => {
  it("names the adapter in Dawn's adapter flag", () => {
    expect(adapterFlag(adapters, 1)).toBe('adapter=NVIDIA RTX A4000');
  });

  it('refuses the second of two identical GPUs, which Dawn cannot tell apart by name', () => {
    const twins = parseAdapterList(REFUSAL.replace('RTX A4000', 'H100 80GB HBM3'));
    expect(adapterFlag(twins, 0)).toBe('adapter=NVIDIA H100 80GB HBM3');
    expect(() => adapterFlag(twins, 1)).toThrow(/GPU 1 and GPU 0 are both 'NVIDIA H100 80GB HBM3'/);
  });

  it('uses by default only the GPUs a Dawn worker can be given; CUDA pins every one', () => {
    const twins = parseAdapterList(REFUSAL.replace('RTX A4000', 'H100 80GB HBM3'));
    expect(gpusInUse('webgpu', undefined, twins)).toEqual([0]);
    expect(gpusInUse('webgpu', undefined, adapters)).toEqual([0, 1]);
    expect(gpusInUse('tensorflow', undefined, twins)).toEqual([0, 1]);
    expect(() => gpusInUse('webgpu', '0,1', twins)).toThrow(/GPU 1 and GPU 0 are both/);
  });
});
