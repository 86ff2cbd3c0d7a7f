/**
 * Counts the three.js GPU resources the renderer holds (textures, geometries, materials, WebGL renderers), so that tests
 * and the developer can check that browsing does not leak: every resource made through `track` is counted until its
 * `dispose()` (three.js fires a 'dispose' event then). The live counts are published as `window.__promethiumGpu`.
 */
import type { BufferGeometry, Material, Texture, WebGLRenderer } from 'three';

export interface GpuResourceCounts {
  textures: number;
  geometries: number;
  materials: number;
  renderers: number;
  /** Resources created so far (live or not): proves the counters see the traffic. */
  created: number;
}

const counts: GpuResourceCounts = { textures: 0, geometries: 0, materials: 0, renderers: 0, created: 0 };

declare global {
  interface Window {
    __promethiumGpu?: GpuResourceCounts;
  }
}
if (typeof window !== 'undefined') window.__promethiumGpu = counts;

type Kind = 'textures' | 'geometries' | 'materials';
interface Disposable {
  addEventListener(type: 'dispose', listener: () => void): void;
}

function count<T extends Disposable>(kind: Kind, resource: T): T {
  counts[kind]++;
  counts.created++;
  let live = true;
  resource.addEventListener('dispose', () => {
    if (!live) return;
    live = false;
    counts[kind]--;
  });
  return resource;
}

export const trackTexture = <T extends Texture>(texture: T): T => count('textures', texture);
export const trackGeometry = <T extends BufferGeometry>(geometry: T): T => count('geometries', geometry);
export const trackMaterial = <T extends Material>(material: T): T => count('materials', material);

/** A WebGLRenderer is counted from creation until `untrackRenderer` (called with its dispose). */
export function trackRenderer(renderer: WebGLRenderer): WebGLRenderer {
  counts.renderers++;
  counts.created++;
  return renderer;
}
export function untrackRenderer(): void {
  counts.renderers--;
}

export function gpuResourceCounts(): GpuResourceCounts {
  return { ...counts };
}
