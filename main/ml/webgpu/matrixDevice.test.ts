import { describe, expect, it } from 'vitest';
import { chooseMatrixTile, tileColumns, tileRows } from './matrixConv';
import { chooseMatrixSupport, hoistDirectives, passSubgroupId, SUBGROUP_MAIN } from './matrixDevice';

const h200 = {
  subgroupMinSize: 32,
  subgroupMaxSize: 32,
  subgroupMatrixConfigs: [
    { componentType: 'f16', resultComponentType: 'f16', M: 16, N: 16, K: 16 },
    { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 8, K: 16 },
    { componentType: 'f16', resultComponentType: 'f32', M: 16, N: 16, K: 16 },
    { componentType: 'i8', resultComponentType: 'i32', M: 16, N: 16, K: 32 },
  ],
};

describe('subgroup matrix support', () => {
  it('takes the largest half-precision shape with float32 results', () => {
    expect(chooseMatrixSupport(h200)).toEqual({ m: 16, n: 16, k: 16, subgroupSize: 32 });
  });

  it('refuses devices whose subgroups vary in size, or that have no f16 -> f32 shape', () => {
    expect(chooseMatrixSupport({ ...h200, subgroupMinSize: 16 })).toBeNull();
    expect(chooseMatrixSupport({ ...h200, subgroupMatrixConfigs: [h200.subgroupMatrixConfigs[3]!] })).toBeNull();
    expect(chooseMatrixSupport(undefined)).toBeNull();
  });
});

// The start of tfjs-backend-webgpu 4.22's generated WGSL around a program's code, as far as the rewrites look at it.
const TFJS_PREFIX = `
      var<private> localIndex: u32;
      struct Uniforms { NAN : f32, };`;
const tfjsEntry = (call: string) => `
  @compute @workgroup_size(256, 1, 1)
      fn _start(@builtin(local_invocation_id) LocalId : vec3<u32>,
                @builtin(num_workgroups) NumWorkgroups : vec3<u32>) {
        localIndex = LocalIndex;
        ${call};
      }`;

describe("rewrites of tfjs's WGSL", () => {
  it('moves enable and diagnostic directives in front of the declarations tfjs puts first', () => {
    const code = `${TFJS_PREFIX}
      enable f16;
      diagnostic(off, derivative_uniformity);
      fn main() {}
      ${tfjsEntry('main();')}`;
    const hoisted = hoistDirectives(code);
    expect(hoisted.startsWith('enable f16;\ndiagnostic(off, derivative_uniformity);\n')).toBe(true);
    expect(hoisted.match(/enable f16;/g)).toHaveLength(1);
    expect(hoisted).toContain('struct Uniforms');
  });

  it("passes subgroup_id to a program's main only when it asks for it", () => {
    const plain = `${TFJS_PREFIX}\nfn main() {}\n${tfjsEntry('main();')}`;
    expect(passSubgroupId(plain)).toBe(plain);
    const asking = `${TFJS_PREFIX}\n${SUBGROUP_MAIN} {}\n${tfjsEntry('main();')}`;
    const rewritten = passSubgroupId(asking);
    expect(rewritten).toContain(
      '@builtin(num_workgroups) NumWorkgroups : vec3<u32>, @builtin(subgroup_id) SubgroupId : u32)',
    );
    expect(rewritten).toContain('main(SubgroupId);');
  });

  it('fails loudly when the entry point it rewrites is not there', () => {
    expect(() => passSubgroupId(`${SUBGROUP_MAIN} {}\nfn _start() { main(); }`)).toThrow(/entry point has changed/);
  });
});

describe('matrix conv tiles', () => {
  const m = { m: 16, n: 16, k: 16, subgroupSize: 32 };

  it('covers few output channels with narrow tiles, and keeps enough workgroups for a large GPU', () => {
    expect(tileColumns(chooseMatrixTile(16, 1 << 20, m), m)).toBe(16);
    expect(tileColumns(chooseMatrixTile(32, 1 << 20, m), m)).toBe(32);
    expect(tileColumns(chooseMatrixTile(64, 1 << 20, m), m)).toBe(64);
    const large = chooseMatrixTile(256, 64 * 32 * 32, m);
    expect([tileRows(large, m), tileColumns(large, m)]).toEqual([128, 128]);
    // 16 patches' 8 x 8 bottleneck: 128 x 128 tiles would make 64 workgroups
    const few = chooseMatrixTile(1024, 16 * 8 * 8, m);
    expect([tileRows(few, m), tileColumns(few, m)]).toEqual([64, 64]);
  });
});
