/**
 * The 3D view's renderer (three.js): the three orthogonal slices of a post-stack cube (an inline, a crossline, a time
 * slice) placed in a box, drawn with the section viewer's colormap shader, a bounding box, and OrbitControls.
 *
 * Box coordinates are unit fractions: x along the crosslines, z along the inlines, y up the time axis (sample 0 at
 * y = 1); the box is scaled by the survey's shape and centred at the origin. Each slice is one quad whose uv follows the
 * section convention (uv.x along the traces, uv.y = 1 - sample fraction), so the fragment shader is shared as is.
 *
 * With volume rendering on (`setCube`), the downsampled cube is ray-marched in the box instead of the slices (see
 * volumeCube.ts); the slices stay loaded and come back when it is turned off.
 *
 * GPU discipline: a slice's textures are replaced (and the old ones disposed) when the slice moves; the cube's texture,
 * geometry and material are freed when it is turned off; `dispose()` frees every texture, geometry and material, the
 * controls and the context. Everything is counted by gpuResources.
 */
import {
  BoxGeometry,
  BufferAttribute,
  BufferGeometry,
  type DataTexture,
  DoubleSide,
  EdgesGeometry,
  Group,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  PerspectiveCamera,
  Scene,
  ShaderMaterial,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { SectionData } from '../../../preload/contract';
import type { ColormapName } from './colormaps';
import { CubeVolume, type CubeData } from './volumeCube';
import { trackGeometry, trackMaterial, trackRenderer, untrackRenderer } from './gpuResources';
import {
  makeLutTexture,
  makeSectionTextures,
  SECTION_FRAGMENT_SHADER,
  SECTION_VERTEX_SHADER,
  sectionUniforms,
  type SectionTextures,
} from './sectionRenderer';

export type SliceAxis = 'inline' | 'crossline' | 'time';
export const SLICE_AXES: readonly SliceAxis[] = ['inline', 'crossline', 'time'];

export interface VolumeShape {
  inlines: number;
  crosslines: number;
  samples: number;
}

/** A label anchored at a point of the box (unit coordinates), placed on screen by the view. */
export interface BoxLabel {
  text: string;
  at: [number, number, number];
  kind: 'name' | 'value';
}

/** The quad of a slice in unit box coordinates, with section-convention uv (see the file comment). */
function sliceGeometry(axis: SliceAxis): BufferGeometry {
  // Corners as (trace fraction, sample fraction) -> box position.
  const corners: [number, number][] = [
    [0, 1],
    [1, 1],
    [1, 0],
    [0, 0],
  ];
  const place = (trace: number, sample: number): [number, number, number] => {
    const y = 1 - sample;
    if (axis === 'inline') return [trace, y, 0]; // traces along the crosslines (x)
    if (axis === 'crossline') return [0, y, trace]; // traces along the inlines (z)
    return [sample, 0, trace]; // time slice: traces along the inlines (z), "samples" along the crosslines (x)
  };
  const positions = new Float32Array(12);
  const uvs = new Float32Array(8);
  corners.forEach(([trace, sample], i) => {
    positions.set(place(trace, sample), i * 3);
    uvs.set([trace, 1 - sample], i * 2);
  });
  const geometry = trackGeometry(new BufferGeometry());
  geometry.setAttribute('position', new BufferAttribute(positions, 3));
  geometry.setAttribute('uv', new BufferAttribute(uvs, 2));
  geometry.setIndex([0, 1, 2, 0, 2, 3]);
  return geometry;
}

interface Slice {
  mesh: Mesh<BufferGeometry, ShaderMaterial>;
  textures: SectionTextures | null;
  index: number;
}

export class VolumeRenderer {
  readonly renderer: WebGLRenderer;
  frame = 0;
  uploads = 0;

  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(40, 1, 0.01, 50);
  private readonly controls: OrbitControls;
  private readonly box = new Group();
  private readonly slices: Record<SliceAxis, Slice>;
  private readonly edges: LineSegments<EdgesGeometry, LineBasicMaterial>;
  private readonly boxGeometry: BoxGeometry;
  private lut: DataTexture;
  private cube: CubeVolume | null = null;
  /** gain / clip, shared by the slices and the cube. */
  private scale = 0;
  private readonly floatLinear: boolean;
  private readonly maxTextureSize: number;
  private disposed = false;
  /** Called after the controls moved the camera (the view redraws and places its labels). */
  onchange: (() => void) | null = null;

  constructor(
    canvas: HTMLCanvasElement,
    readonly shape: VolumeShape,
  ) {
    this.renderer = trackRenderer(new WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true }));
    this.renderer.setClearColor(0x15181d, 1);
    this.floatLinear = this.renderer.extensions.has('OES_texture_float_linear');
    this.maxTextureSize = this.renderer.capabilities.maxTextureSize;
    this.lut = makeLutTexture('seismic');

    // The box: horizontal extents in proportion to the grid, the time axis 0.6 of the larger one.
    const largest = Math.max(shape.inlines, shape.crosslines, 1);
    this.box.scale.set(shape.crosslines / largest, 0.6, shape.inlines / largest);
    this.box.position.set(-this.box.scale.x / 2, -this.box.scale.y / 2, -this.box.scale.z / 2);
    this.scene.add(this.box);

    const make = (axis: SliceAxis): Slice => {
      const uniforms = sectionUniforms();
      uniforms.uLut!.value = this.lut;
      const material = trackMaterial(
        new ShaderMaterial({
          vertexShader: SECTION_VERTEX_SHADER,
          fragmentShader: SECTION_FRAGMENT_SHADER,
          uniforms,
          side: DoubleSide,
        }),
      );
      const mesh = new Mesh(sliceGeometry(axis), material);
      mesh.visible = false;
      mesh.name = axis;
      this.box.add(mesh);
      return { mesh, textures: null, index: -1 };
    };
    this.slices = { inline: make('inline'), crossline: make('crossline'), time: make('time') };

    this.boxGeometry = trackGeometry(new BoxGeometry(1, 1, 1));
    this.edges = new LineSegments(
      trackGeometry(new EdgesGeometry(this.boxGeometry)),
      trackMaterial(new LineBasicMaterial({ color: 0x8b949e })),
    );
    this.edges.position.set(0.5, 0.5, 0.5);
    this.box.add(this.edges);

    this.controls = new OrbitControls(this.camera, canvas);
    this.placeCamera();
    this.controls.enableDamping = false;
    this.controls.addEventListener('change', this.changed);
  }

  private readonly changed = (): void => {
    this.render();
    this.onchange?.();
  };

  /** Uploads a slice's section and moves the slice to its index (disposing the textures it replaces). */
  setSlice(axis: SliceAxis, section: SectionData): void {
    const slice = this.slices[axis];
    const next = makeSectionTextures(
      section.data,
      section.traces,
      section.samples,
      section.live,
      this.maxTextureSize,
      this.floatLinear,
    );
    slice.textures?.data.dispose();
    slice.textures?.live.dispose();
    slice.textures = next;
    slice.index = section.index;
    const uniforms = slice.mesh.material.uniforms;
    uniforms.uData!.value = next.data;
    uniforms.uLive!.value = next.live;
    uniforms.uData2!.value = next.data;
    uniforms.uLive2!.value = next.live;
    const { inlines, crosslines, samples } = this.shape;
    const centre = (i: number, n: number): number => (n > 1 ? (i + 0.5) / n : 0.5);
    if (axis === 'inline') slice.mesh.position.set(0, 0, centre(section.index, inlines));
    else if (axis === 'crossline') slice.mesh.position.set(centre(section.index, crosslines), 0, 0);
    else slice.mesh.position.set(0, 1 - centre(section.index, samples), 0);
    this.uploads++;
  }

  setColormap(name: ColormapName): void {
    const lut = makeLutTexture(name);
    for (const axis of SLICE_AXES) this.slices[axis].mesh.material.uniforms.uLut!.value = lut;
    this.cube?.setLut(lut);
    this.lut.dispose();
    this.lut = lut;
  }

  setScale(clip: number, gain: number): void {
    this.scale = clip > 0 ? gain / clip : 0;
    for (const axis of SLICE_AXES) this.slices[axis].mesh.material.uniforms.uScale!.value = this.scale;
    this.cube?.setScale(this.scale);
  }

  /** Volume rendering of the downsampled cube in place of the slices; null turns it off and frees its resources. */
  setCube(cube: CubeData | null): void {
    this.cube?.dispose();
    this.cube = null;
    if (!cube || this.disposed) return;
    this.cube = new CubeVolume(cube, this.lut, this.floatLinear);
    this.cube.setScale(this.scale);
    this.box.add(this.cube.mesh);
    this.uploads++;
  }

  get volumeRendering(): boolean {
    return this.cube !== null;
  }

  setSize(width: number, height: number, pixelRatio: number): void {
    this.renderer.setPixelRatio(pixelRatio);
    this.renderer.setSize(width, height, false);
    const first = this.camera.aspect === 1 && this.frame === 0;
    this.camera.aspect = width / Math.max(1, height);
    this.camera.updateProjectionMatrix();
    if (first) this.placeCamera();
  }

  /** The default viewpoint: from the first inline's side, above, at a distance that fits the box in the view. */
  private placeCamera(): void {
    const { x, y, z } = this.box.scale;
    const radius = 0.5 * Math.hypot(x, y, z);
    const halfFov = (Math.min(this.camera.fov, this.camera.fov * this.camera.aspect) * Math.PI) / 360;
    const distance = (radius / Math.sin(halfFov)) * 1.05;
    this.camera.position.copy(new Vector3(1.5, 1.1, 1.9).normalize().multiplyScalar(distance));
    this.controls.target.set(0, 0, 0);
    this.controls.update();
  }

  /** Back to the default viewpoint. */
  resetCamera(): void {
    this.placeCamera();
  }

  /** Rotates the camera around the target by `degrees` (keyboard control). */
  orbit(degrees: number): void {
    const offset = this.camera.position.clone().sub(this.controls.target);
    offset.applyAxisAngle(new Vector3(0, 1, 0), (degrees * Math.PI) / 180);
    this.camera.position.copy(this.controls.target).add(offset);
    this.controls.update();
  }

  /** Screen position (CSS pixels in a width x height canvas) of a point in unit box coordinates; null behind the eye. */
  project(at: [number, number, number], width: number, height: number): { x: number; y: number } | null {
    const world = new Vector3(...at).multiply(this.box.scale).add(this.box.position);
    const ndc = world.project(this.camera);
    if (ndc.z > 1) return null;
    return { x: ((ndc.x + 1) / 2) * width, y: ((1 - ndc.y) / 2) * height };
  }

  /** Draw calls of the last frame (3 slices + the box once all are loaded; the cube + the box with volume rendering). */
  get drawCalls(): number {
    return this.renderer.info.render.calls;
  }

  render(): void {
    if (this.disposed) return;
    for (const axis of SLICE_AXES) {
      const slice = this.slices[axis];
      slice.mesh.visible = slice.textures !== null && this.cube === null;
    }
    if (this.cube) {
      this.box.updateMatrixWorld();
      this.cube.setEye(this.box.worldToLocal(this.camera.position.clone()));
    }
    this.renderer.render(this.scene, this.camera);
    this.frame++;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.controls.removeEventListener('change', this.changed);
    this.controls.dispose();
    this.setCube(null);
    for (const axis of SLICE_AXES) {
      const slice = this.slices[axis];
      slice.textures?.data.dispose();
      slice.textures?.live.dispose();
      slice.mesh.geometry.dispose();
      slice.mesh.material.dispose();
    }
    this.lut.dispose();
    this.boxGeometry.dispose();
    this.edges.geometry.dispose();
    this.edges.material.dispose();
    this.renderer.dispose();
    this.renderer.forceContextLoss();
    untrackRenderer();
  }
}
