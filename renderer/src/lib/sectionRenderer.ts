/**
 * The WebGL section renderer (three.js): one WebGLRenderer per viewer, an OrthographicCamera over the section in data
 * units (x: trace index 0..traces, y: -sample index), and one quad whose ShaderMaterial maps each amplitude through a
 * 256 x 1 colormap texture.
 *
 * GPU discipline:
 * - a section is uploaded ONCE, as a float texture (R32F, texels laid out samples wide and traces high so the trace-major
 *   array goes up as is, without a copy); pan and zoom change only the camera, clip/gain only a uniform;
 * - every texture replaced is disposed at once; `dispose()` frees the geometry, material, textures and the context.
 *
 * Float textures: three.js r187 needs WebGL2, where sampling R32F textures is core (Chromium headless with --disable-gpu
 * runs SwiftShader, which has it). LINEAR filtering of float textures is an extension (OES_texture_float_linear): with it
 * the section is interpolated, without it we fall back to NEAREST (blocky when zoomed in, values still exact).
 * Sections larger than the GPU's maximum texture size are decimated on the CPU before upload (`decimation`).
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

/** The visible window in data units: traces [x0, x1), samples [y0, y1) (sample 0 at the top). */
export interface ViewWindow {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

const VERTEX_SHADER = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;

// Texel (u, v) of uData = (sample, trace). Dead traces (uLive = 0) and non-finite samples are hatched in two greys.
const FRAGMENT_SHADER = /* glsl */ `
precision highp float;
uniform sampler2D uData;
uniform sampler2D uLive;
uniform sampler2D uLut;
uniform float uScale;
varying vec2 vUv;

vec4 hatch(vec3 a, vec3 b) {
  float stripe = mod(floor((gl_FragCoord.x + gl_FragCoord.y) / 4.0), 2.0);
  return vec4(mix(a, b, stripe), 1.0);
}

void main() {
  float traceFraction = vUv.x;
  float sampleFraction = 1.0 - vUv.y;
  float live = texture2D(uLive, vec2(traceFraction, 0.5)).r;
  if (live < 0.5) {
    gl_FragColor = hatch(vec3(0.20, 0.22, 0.25), vec3(0.30, 0.32, 0.35));
    return;
  }
  float value = texture2D(uData, vec2(sampleFraction, traceFraction)).r;
  if (value != value || abs(value) > 3.0e38) {
    gl_FragColor = hatch(vec3(0.35, 0.30, 0.20), vec3(0.25, 0.22, 0.15));
    return;
  }
  float t = clamp(0.5 + 0.5 * value * uScale, 0.0, 1.0);
  gl_FragColor = texture2D(uLut, vec2((t * 255.0 + 0.5) / 256.0, 0.5));
}
`;

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
  private readonly geometry = new PlaneGeometry(1, 1);
  private readonly material: ShaderMaterial;
  private readonly mesh: Mesh<PlaneGeometry, ShaderMaterial>;
  private dataTexture: DataTexture | null = null;
  private liveTexture: DataTexture | null = null;
  private lutTexture: DataTexture | null = null;
  private disposed = false;
  /** Texture uploads so far (tests and the perf overlay read it: pan/zoom must not add any). */
  uploads = 0;

  constructor(canvas: HTMLCanvasElement) {
    // preserveDrawingBuffer: screenshots and pixel checks read the canvas between frames.
    this.renderer = new WebGLRenderer({ canvas, antialias: false, alpha: false, preserveDrawingBuffer: true });
    this.renderer.setClearColor(0x15181d, 1);
    this.floatLinear = this.renderer.extensions.has('OES_texture_float_linear');
    this.maxTextureSize = this.renderer.capabilities.maxTextureSize;
    this.material = new ShaderMaterial({
      vertexShader: VERTEX_SHADER,
      fragmentShader: FRAGMENT_SHADER,
      uniforms: { uData: { value: null }, uLive: { value: null }, uLut: { value: null }, uScale: { value: 1 } },
      depthTest: false,
      depthWrite: false,
    });
    this.mesh = new Mesh(this.geometry, this.material);
    this.mesh.visible = false;
    this.scene.add(this.mesh);
    this.camera.position.set(0, 0, 1);
    this.setColormap('seismic');
  }

  /** Uploads a section (trace-major) and its live mask, replacing (and disposing) the previous one. */
  setSection(values: Float32Array, traces: number, samples: number, live: Uint8Array): UploadedSection {
    const stepTraces = Math.ceil(traces / this.maxTextureSize);
    const stepSamples = Math.ceil(samples / this.maxTextureSize);
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
    const filter: MagnificationTextureFilter = this.floatLinear ? LinearFilter : NearestFilter;
    const data = new DataTexture(texels, width, height, RedFormat, FloatType);
    data.magFilter = filter;
    data.minFilter = filter;
    data.unpackAlignment = 4;
    data.generateMipmaps = false;
    data.needsUpdate = true;

    const liveBytes = new Uint8Array(height);
    for (let t = 0; t < height; t++) liveBytes[t] = mask[t] ? 255 : 0;
    const liveTexture = new DataTexture(liveBytes, height, 1, RedFormat, UnsignedByteType);
    liveTexture.magFilter = NearestFilter;
    liveTexture.minFilter = NearestFilter;
    liveTexture.unpackAlignment = 1;
    liveTexture.generateMipmaps = false;
    liveTexture.needsUpdate = true;

    this.dataTexture?.dispose();
    this.liveTexture?.dispose();
    this.dataTexture = data;
    this.liveTexture = liveTexture;
    this.material.uniforms.uData!.value = data;
    this.material.uniforms.uLive!.value = liveTexture;
    this.mesh.scale.set(traces, samples, 1);
    this.mesh.position.set(traces / 2, -samples / 2, 0);
    this.mesh.visible = true;
    this.uploads++;
    return { traces, samples, decimation: { traces: stepTraces, samples: stepSamples } };
  }

  setColormap(name: ColormapName): void {
    const lut = new DataTexture(colormapTable(name), 256, 1, RGBAFormat, UnsignedByteType);
    lut.magFilter = NearestFilter;
    lut.minFilter = NearestFilter;
    lut.generateMipmaps = false;
    lut.needsUpdate = true;
    this.lutTexture?.dispose();
    this.lutTexture = lut;
    this.material.uniforms.uLut!.value = lut;
  }

  /** amplitude * gain / clip maps to [-1, 1] of the colormap. */
  setScale(clip: number, gain: number): void {
    this.material.uniforms.uScale!.value = clip > 0 ? gain / clip : 0;
  }

  setView(view: ViewWindow): void {
    this.camera.left = view.x0;
    this.camera.right = view.x1;
    this.camera.top = -view.y0;
    this.camera.bottom = -view.y1;
    this.camera.updateProjectionMatrix();
  }

  setSize(width: number, height: number, pixelRatio: number): void {
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
    this.dataTexture?.dispose();
    this.liveTexture?.dispose();
    this.lutTexture?.dispose();
    this.geometry.dispose();
    this.material.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
  }
}
