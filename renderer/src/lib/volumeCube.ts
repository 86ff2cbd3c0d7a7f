/**
 * Volume rendering for the 3D view: the survey's downsampled cube (survey.lodCube) as a float 3D texture, ray-marched
 * in a fragment shader inside the unit box, as a signed maximum-amplitude projection: along each ray the sample with
 * the largest |a| is kept and drawn through the view's colormap with the slices' clip and gain, its opacity |a| / clip.
 *
 * Why maximum amplitude rather than front-to-back compositing: it needs no transfer function to tune and does not
 * depend on the viewing direction's depth order, and what an interpreter scans a whole cube for (bright spots, strong
 * reflectors, the extent of the data) is exactly the strongest amplitude along the line of sight; compositing a
 * box-meaned cube through an opacity ramp mostly gives a fog of mid amplitudes.
 *
 * Box coordinates as in volumeRenderer.ts: x along the crosslines, z along the inlines, y up the time axis (sample 0 at
 * y = 1). The cube is [inline][crossline][sample] with samples fastest, so the texture's width is the samples, its
 * height the crosslines and its depth the inlines: texture coordinate (1 - y, x, z).
 */
import {
  BackSide,
  BoxGeometry,
  Data3DTexture,
  type DataTexture,
  FloatType,
  LinearFilter,
  Mesh,
  NearestFilter,
  RedFormat,
  ShaderMaterial,
  Vector3,
} from 'three';
import { trackGeometry, trackMaterial, trackTexture } from './gpuResources';

export interface CubeData {
  data: Float32Array;
  /** [inlines][crosslines][samples]. */
  shape: [number, number, number];
}

const VERTEX_SHADER = /* glsl */ `
varying vec3 vPos;
void main() {
  vPos = position + 0.5; // the box geometry is centred on the mesh, which sits at the unit box's centre
  gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0);
}
`;

const FRAGMENT_SHADER = /* glsl */ `
precision highp float;
precision highp sampler3D;
uniform sampler3D uCube;
uniform sampler2D uLut;
uniform vec3 uEye;     // the camera in unit box coordinates
uniform float uScale;  // gain / clip, as the slices
uniform float uStep;   // ray step in unit box coordinates (about one cube cell)
varying vec3 vPos;

void main() {
  vec3 dir = normalize(vPos - uEye);
  vec3 inv = 1.0 / dir;
  vec3 t0 = -uEye * inv;
  vec3 t1 = (vec3(1.0) - uEye) * inv;
  vec3 near = min(t0, t1);
  vec3 far = max(t0, t1);
  float enter = max(max(max(near.x, near.y), near.z), 0.0);
  float leave = min(min(far.x, far.y), far.z);
  if (enter >= leave) discard;
  float best = 0.0;
  for (int i = 0; i < 1024; i++) {
    float t = enter + (float(i) + 0.5) * uStep;
    if (t > leave) break;
    vec3 p = uEye + dir * t;
    float a = texture(uCube, vec3(1.0 - p.y, p.x, p.z)).r;
    if (abs(a) > abs(best)) best = a;
  }
  float v = clamp(best * uScale, -1.0, 1.0);
  vec3 colour = texture(uLut, vec2(((0.5 + 0.5 * v) * 255.0 + 0.5) / 256.0, 0.5)).rgb;
  gl_FragColor = vec4(colour, abs(v));
}
`;

/** The ray-marched cube: one box mesh with its own geometry, material and 3D texture, all freed by `dispose`. */
export class CubeVolume {
  readonly mesh: Mesh<BoxGeometry, ShaderMaterial>;
  private readonly texture: Data3DTexture;

  constructor(cube: CubeData, lut: DataTexture, floatLinear: boolean) {
    const [inlines, crosslines, samples] = cube.shape;
    if (cube.data.length !== inlines * crosslines * samples) {
      throw new Error(
        `The cube holds ${cube.data.length} values, not the ${inlines * crosslines * samples} of its shape`,
      );
    }
    this.texture = trackTexture(new Data3DTexture(cube.data, samples, crosslines, inlines));
    this.texture.format = RedFormat;
    this.texture.type = FloatType;
    // Without float linear filtering the cells show as blocks, which is still a correct picture.
    this.texture.minFilter = this.texture.magFilter = floatLinear ? LinearFilter : NearestFilter;
    this.texture.unpackAlignment = 1;
    this.texture.needsUpdate = true;
    const material = trackMaterial(
      new ShaderMaterial({
        vertexShader: VERTEX_SHADER,
        fragmentShader: FRAGMENT_SHADER,
        uniforms: {
          uCube: { value: this.texture },
          uLut: { value: lut },
          uEye: { value: new Vector3() },
          uScale: { value: 0 },
          uStep: { value: 1 / Math.max(inlines, crosslines, samples) },
        },
        side: BackSide, // rays start from the far faces, so the cube still draws with the camera inside the box
        transparent: true,
        depthWrite: false,
      }),
    );
    this.mesh = new Mesh(trackGeometry(new BoxGeometry(1, 1, 1)), material);
    this.mesh.position.set(0.5, 0.5, 0.5);
    this.mesh.name = 'cube';
  }

  setLut(lut: DataTexture): void {
    this.mesh.material.uniforms.uLut!.value = lut;
  }

  setScale(scale: number): void {
    this.mesh.material.uniforms.uScale!.value = scale;
  }

  /** The camera position in unit box coordinates (set before every frame). */
  setEye(eye: Vector3): void {
    (this.mesh.material.uniforms.uEye!.value as Vector3).copy(eye);
  }

  dispose(): void {
    this.mesh.removeFromParent();
    this.texture.dispose();
    this.mesh.geometry.dispose();
    this.mesh.material.dispose();
  }
}
