/**
 * The WebGL section renderer (three.js): one WebGLRenderer per viewer, an OrthographicCamera over the section in data
 * units (x: trace index 0..traces, y: -sample index), and one quad whose ShaderMaterial maps each amplitude through a
 * 256 x 1 colormap texture.
 *
 * GPU discipline:
 * - a section is uploaded ONCE, as a float texture (R32F, texels laid out samples wide and traces high so the trace-major
 *   array goes up as is, without a copy); the next line of the same size goes into the same texture (texSubImage2D,
 *   no reallocation); pan and zoom change only the camera, clip/gain only a uniform;
 * - every texture replaced is disposed at once; `dispose()` frees the geometry, material, textures and the context.
 *
 * Float textures: three.js r187 needs WebGL2, where sampling R32F textures is core (Chromium headless with --disable-gpu
 * runs SwiftShader, which has it). LINEAR filtering of float textures is an extension (OES_texture_float_linear): with it
 * the section is interpolated, without it we fall back to NEAREST (blocky when zoomed in, values still exact).
 * Sections larger than the GPU's maximum texture size are decimated on the CPU before upload (`decimation`).
 *
 * Swipe: an optional second section of the same shape (`setSecondary`) is drawn right of a vertical divider given in
 * CSS pixels from the canvas's left edge (`setSplit`); the compare view uses it for input | result.
 *
 * The shaders and texture builders are exported for the 3D view, which draws its slices with the same colormap shader.
 * Every texture, geometry and material is counted by gpuResources (tests check that browsing leaks none).
 */
import {
  DataTexture,
  FloatType,
  LinearFilter,
  Mesh,
  NearestFilter,
  OrthographicCamera,
  PlaneGeometry,
  RedFormat,
  RGBAFormat,
  Scene,
  ShaderMaterial,
  UnsignedByteType,
  WebGLRenderer,
  type MagnificationTextureFilter,
} from 'three';
import { colormapTable, type ColormapName } from './colormaps';
import { trackGeometry, trackMaterial, trackRenderer, trackTexture, untrackRenderer } from './gpuResources';

/** The visible window in data units: traces [x0, x1), samples [y0, y1) (sample 0 at the top). */
export interface ViewWindow {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const SECTION_VERTEX_SHADER = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;

// Texel (u, v) of uData = (sample, trace). Dead traces (uLive = 0) and non-finite samples are hatched in two greys.
// uv.x runs along the traces, uv.y up the samples (sample 0 at uv.y = 1): the 3D view's slices set their uv to match.
// Right of uSplit (drawing-buffer pixels; negative: no split) the secondary section (uData2, uLive2) is drawn.
export const SECTION_FRAGMENT_SHADER = /* glsl */ `
precision highp float;
uniform sampler2D uData;
uniform sampler2D uLive;
uniform sampler2D uData2;
uniform sampler2D uLive2;
uniform sampler2D uLut;
uniform float uScale;
uniform float uCentre;
uniform float uSplit;
varying vec2 vUv;

vec4 hatch(vec3 a, vec3 b) {
  float stripe = mod(floor((gl_FragCoord.x + gl_FragCoord.y) / 4.0), 2.0);
  return vec4(mix(a, b, stripe), 1.0);
}

void main() {
  float traceFraction = vUv.x;
  float sampleFraction = 1.0 - vUv.y;
  bool second = uSplit >= 0.0 && gl_FragCoord.x >= uSplit;
  float live = second ? texture2D(uLive2, vec2(traceFraction, 0.5)).r : texture2D(uLive, vec2(traceFraction, 0.5)).r;
  if (live < 0.5) {
    gl_FragColor = hatch(vec3(0.20, 0.22, 0.25), vec3(0.30, 0.32, 0.35));
    return;
  }
  vec2 texel = vec2(sampleFraction, traceFraction);
  float value = second ? texture2D(uData2, texel).r : texture2D(uData, texel).r;
  if (value != value || abs(value) > 3.0e38) {
    gl_FragColor = hatch(vec3(0.35, 0.30, 0.20), vec3(0.25, 0.22, 0.15));
    return;
  }
  float t = clamp(0.5 + 0.5 * (value - uCentre) * uScale, 0.0, 1.0);
  gl_FragColor = texture2D(uLut, vec2((t * 255.0 + 0.5) / 256.0, 0.5));
}
`;

/** The uniforms SECTION_FRAGMENT_SHADER reads, unset. */
export function sectionUniforms(): Record<string, { value: unknown }> {
  return {
    uData: { value: null },
    uLive: { value: null },
    uData2: { value: null },
    uLive2: { value: null },
    uLut: { value: null },
    uScale: { value: 1 },
    uCentre: { value: 0 },
    uSplit: { value: -1 },
  };
}

export interface SectionTextures {
  data: DataTexture;
  live: DataTexture;
  /** Traces and samples per texel along each axis (1 unless the section exceeded the maximum texture size). */
  decimation: { traces: number; samples: number };
}

/**
 * The float texture (samples wide, traces high, so the trace-major array goes up without a copy) and the live-trace
 * texture of a section, decimated on the CPU when larger than `maxTextureSize`. Both are tracked; the caller disposes.
 */
export function makeSectionTextures(
  values: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  maxTextureSize: number,
  floatLinear: boolean,
): SectionTextures {
  const texels = sectionTexels(values, traces, samples, live, maxTextureSize);
  const filter: MagnificationTextureFilter = floatLinear ? LinearFilter : NearestFilter;
  const data = trackTexture(new DataTexture(texels.values, texels.width, texels.height, RedFormat, FloatType));
  data.magFilter = filter;
  data.minFilter = filter;
  data.unpackAlignment = 4;
  data.generateMipmaps = false;
  data.needsUpdate = true;

  const liveTexture = trackTexture(new DataTexture(texels.liveBytes, texels.height, 1, RedFormat, UnsignedByteType));
  liveTexture.magFilter = NearestFilter;
  liveTexture.minFilter = NearestFilter;
  liveTexture.unpackAlignment = 1;
  liveTexture.generateMipmaps = false;
  liveTexture.needsUpdate = true;
  return { data, live: liveTexture, decimation: texels.decimation };
}

/**
 * Puts a new section into existing textures when its texel size is theirs (the next line of a survey): three.js then
 * re-uploads into the allocated GPU storage (texSubImage2D) instead of deleting and allocating textures on every line.
 * Returns false, changing nothing, when the size differs.
 */
export function refillSectionTextures(
  textures: SectionTextures,
  values: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  maxTextureSize: number,
): boolean {
  const texels = sectionTexels(values, traces, samples, live, maxTextureSize);
  const image = textures.data.image as { data: Float32Array; width: number; height: number };
  if (image.width !== texels.width || image.height !== texels.height) return false;
  image.data = texels.values;
  textures.data.needsUpdate = true;
  (textures.live.image as { data: Uint8Array }).data = texels.liveBytes;
  textures.live.needsUpdate = true;
  textures.decimation = texels.decimation;
  return true;
}

/** The texel array (the section itself unless decimated) and the live-trace bytes, for a section of this size. */
function sectionTexels(
  values: Float32Array,
  traces: number,
  samples: number,
  live: Uint8Array,
  maxTextureSize: number,
): {
  values: Float32Array;
  liveBytes: Uint8Array;
  width: number;
  height: number;
  decimation: SectionTextures['decimation'];
} {
  const stepTraces = Math.ceil(traces / maxTextureSize);
  const stepSamples = Math.ceil(samples / maxTextureSize);
  let texels = values;
  let mask = live;
  let height = traces;
  let width = samples;
  if (stepTraces > 1 || stepSamples > 1) {
    height = Math.ceil(traces / stepTraces);
    width = Math.ceil(samples / stepSamples);
    texels = new Float32Array(width * height);
    mask = new Uint8Array(height);
    for (let t = 0; t < height; t++) {
      mask[t] = live[t * stepTraces] ?? 0;
      for (let s = 0; s < width; s++) texels[t * width + s] = values[t * stepTraces * samples + s * stepSamples]!;
    }
  }
  const liveBytes = new Uint8Array(height);
  for (let t = 0; t < height; t++) liveBytes[t] = mask[t] ? 255 : 0;
  return {
    values: texels,
    liveBytes,
    width,
    height,
    decimation: { traces: stepTraces, samples: stepSamples },
  };
}

/** The 256 x 1 colormap texture (tracked; the caller disposes). */
export function makeLutTexture(name: ColormapName): DataTexture {
  const lut = trackTexture(new DataTexture(colormapTable(name), 256, 1, RGBAFormat, UnsignedByteType));
  lut.magFilter = NearestFilter;
  lut.minFilter = NearestFilter;
  lut.generateMipmaps = false;
  lut.needsUpdate = true;
  return lut;
}

export interface UploadedSection {
  traces: number;
  samples: number;
  /** Traces and samples per texel along each axis (1 unless the section exceeded the maximum texture size). */
  decimation: { traces: number; samples: number };
}

export class SectionRenderer {
  readonly renderer: WebGLRenderer;
  readonly floatLinear: boolean;
  readonly maxTextureSize: number;
  /** Frames drawn so far. */
  frame = 0;

  private readonly scene = new Scene();
  private readonly camera = new OrthographicCamera(0, 1, 0, -1, 0.1, 10);
  private readonly geometry = trackGeometry(new PlaneGeometry(1, 1));
  private readonly material: ShaderMaterial;
  private readonly mesh: Mesh<PlaneGeometry, ShaderMaterial>;
  private textures: SectionTextures | null = null;
  private secondary: SectionTextures | null = null;
  private lutTexture: DataTexture | null = null;
  private pixelRatio = 1;
  private disposed = false;
  /** Texture uploads so far (tests and the perf overlay read it: pan/zoom must not add any). */
  uploads = 0;

  constructor(canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer: screenshots and pixel checks read the canvas between frames.
    this.renderer = trackRenderer(
      new WebGLRenderer({ canvas, antialias: false, alpha: false, preserveDrawingBuffer: true }),
    );
    this.renderer.setClearColor(0x15181d, 1);
    this.floatLinear = this.renderer.extensions.has('OES_texture_float_linear');
    this.maxTextureSize = this.renderer.capabilities.maxTextureSize;
    this.material = trackMaterial(
      new ShaderMaterial({
        vertexShader: SECTION_VERTEX_SHADER,
        fragmentShader: SECTION_FRAGMENT_SHADER,
        uniforms: sectionUniforms(),
        depthTest: false,
        depthWrite: false,
      }),
    );
    this.mesh = new Mesh(this.geometry, this.material);
    this.mesh.visible = false;
    this.scene.add(this.mesh);
    this.camera.position.set(0, 0, 1);
    this.setColormap('seismic');
  }

  /**
   * Uploads a section (trace-major) and its live mask: into the current textures when the size is the same (stepping
   * through lines), otherwise into new ones, disposing the previous.
   */
  setSection(values: Float32Array, traces: number, samples: number, live: Uint8Array): UploadedSection {
    const current = this.textures;
    const reused =
      current !== null && refillSectionTextures(current, values, traces, samples, live, this.maxTextureSize);
    const next = reused
      ? current
      : makeSectionTextures(values, traces, samples, live, this.maxTextureSize, this.floatLinear);
    if (!reused) {
      current?.data.dispose();
      current?.live.dispose();
    }
    this.textures = next;
    this.material.uniforms.uData!.value = next.data;
    this.material.uniforms.uLive!.value = next.live;
    // Without a secondary section, the split side samples the primary (never an unbound sampler).
    if (!this.secondary) {
      this.material.uniforms.uData2!.value = next.data;
      this.material.uniforms.uLive2!.value = next.live;
    }
    this.mesh.scale.set(traces, samples, 1);
    this.mesh.position.set(traces / 2, -samples / 2, 0);
    this.mesh.visible = true;
    this.uploads++;
    return { traces, samples, decimation: next.decimation };
  }

  /** The section drawn right of the split (same shape as the primary), or null to drop it. */
  setSecondary(values: Float32Array | null, traces = 0, samples = 0, live: Uint8Array | null = null): void {
    this.secondary?.data.dispose();
    this.secondary?.live.dispose();
    this.secondary = null;
    if (values && live) {
      this.secondary = makeSectionTextures(values, traces, samples, live, this.maxTextureSize, this.floatLinear);
      this.uploads++;
    }
    const source = this.secondary ?? this.textures;
    this.material.uniforms.uData2!.value = source?.data ?? null;
    this.material.uniforms.uLive2!.value = source?.live ?? null;
  }

  /** The divider in CSS pixels from the canvas's left edge; null: no split. */
  setSplit(cssX: number | null): void {
    this.material.uniforms.uSplit!.value = cssX === null ? -1 : cssX * this.pixelRatio;
  }

  setColormap(name: ColormapName): void {
    const lut = makeLutTexture(name);
    this.lutTexture?.dispose();
    this.lutTexture = lut;
    this.material.uniforms.uLut!.value = lut;
  }

  /** (value - centre) * gain / half maps to [-1, 1] of the colormap (centre 0: amplitudes, clip = half). */
  setScale(half: number, gain: number, centre = 0): void {
    this.material.uniforms.uScale!.value = half > 0 ? gain / half : 0;
    this.material.uniforms.uCentre!.value = centre;
  }

  setView(view: ViewWindow): void {
    this.camera.left = view.x0;
    this.camera.right = view.x1;
    this.camera.top = -view.y0;
    this.camera.bottom = -view.y1;
    this.camera.updateProjectionMatrix();
  }

  setSize(width: number, height: number, pixelRatio: number): void {
    this.pixelRatio = pixelRatio;
    this.renderer.setPixelRatio(pixelRatio);
    this.renderer.setSize(width, height, false);
  }

  render(): void {
    if (this.disposed) return;
    this.renderer.render(this.scene, this.camera);
    this.frame++;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.textures?.data.dispose();
    this.textures?.live.dispose();
    this.secondary?.data.dispose();
    this.secondary?.live.dispose();
    this.lutTexture?.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    untrackRenderer();
  }
}
