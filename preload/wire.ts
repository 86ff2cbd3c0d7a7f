/**
 * The browser mode's WebSocket framing. Messages are JSON, except that typed arrays (sections, gathers, tiles) travel as
 * raw bytes after the JSON, 8-byte aligned, so a 6 MB section costs one memcpy instead of a JSON number list.
 *
 * Frame: [u32 LE: JSON byte length][JSON][zero padding to 8][attachment bytes, each padded to 8]
 * A typed array inside the value is replaced in the JSON by {"$bin": {type, offset, length}}.
 */
import type { ApiErrorShape, ApiEvents, EventName } from './contract';

export type ClientMessage = { t: 'call'; id: number; method: string; args: unknown[] };
export type ServerMessage =
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: ApiErrorShape }
  | { t: 'event'; event: EventName; payload: ApiEvents[EventName] };

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
type TypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;

interface BinaryRef {
  $bin: { type: TypedArrayName; offset: number; length: number };
}

const align8 = (n: number): number => (n + 7) & ~7;

function typedArrayName(value: ArrayBufferView): TypedArrayName {
  // Node's Buffer is a Uint8Array subclass; send it as one.
  for (const name of Object.keys(TYPED_ARRAYS) as TypedArrayName[]) {
    if (value instanceof TYPED_ARRAYS[name]) return name;
  }
  throw new TypeError(`cannot send a ${value.constructor.name} over the wire`);
}

export function encodeFrame(message: ClientMessage | ServerMessage): Uint8Array {
  const attachments: ArrayBufferView[] = [];
  let offset = 0;
  const json = JSON.stringify(message, (_key, value: unknown) => {
    if (!ArrayBuffer.isView(value) || value instanceof DataView) return value;
    const ref: BinaryRef = {
      $bin: { type: typedArrayName(value), offset, length: (value as TypedArray).length },
    };
    attachments.push(value);
    offset += align8(value.byteLength);
    return ref;
  });
  const jsonBytes = new TextEncoder().encode(json);
  const bodyStart = align8(4 + jsonBytes.length);
  const frame = new Uint8Array(bodyStart + offset);
  new DataView(frame.buffer).setUint32(0, jsonBytes.length, true);
  frame.set(jsonBytes, 4);
  let at = bodyStart;
  for (const view of attachments) {
    frame.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), at);
    at += align8(view.byteLength);
  }
  return frame;
}

function isBinaryRef(value: unknown): value is BinaryRef {
  return typeof value === 'object' && value !== null && '$bin' in value && Object.keys(value).length === 1;
}

/** The JSON text and the attachment bytes of a frame; throws a TypeError when the header does not fit the frame. */
function splitFrame(data: ArrayBuffer | Uint8Array): { json: string; body: ArrayBuffer } {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  if (bytes.byteLength < 4) throw new TypeError('frame shorter than its 4-byte header');
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + jsonLength > bytes.byteLength) throw new TypeError('frame header claims more JSON than the frame holds');
  const json = new TextDecoder().decode(bytes.subarray(4, 4 + jsonLength));
  // Copy the body once into an aligned buffer so typed arrays can be views on it.
  const body = bytes.slice(align8(4 + jsonLength)).buffer;
  return { json, body };
}

/** Only the wire's own constructor names: `__proto__`, `constructor` or `toString` as a tag are not typed arrays. */
function typedArrayConstructor(type: unknown): (typeof TYPED_ARRAYS)[TypedArrayName] | undefined {
  return typeof type === 'string' && Object.hasOwn(TYPED_ARRAYS, type)
    ? TYPED_ARRAYS[type as TypedArrayName]
    : undefined;
}

/** Decodes a frame; throws a TypeError on anything malformed (the caller answers with an error, never crashes). */
export function decodeFrame(data: ArrayBuffer | Uint8Array): unknown {
  const { json, body } = splitFrame(data);
  return JSON.parse(json, (_key, value: unknown) => {
    if (!isBinaryRef(value)) return value;
    const { type, offset, length } = value.$bin;
    const Ctor = typedArrayConstructor(type);
    if (!Ctor || !Number.isInteger(offset) || !Number.isInteger(length) || offset % 8 !== 0) {
      throw new TypeError('malformed binary attachment reference');
    }
    if (offset < 0 || length < 0 || offset + length * Ctor.BYTES_PER_ELEMENT > body.byteLength) {
      throw new TypeError('binary attachment runs past the end of the frame');
    }
    return new Ctor(body, offset, length);
  });
}

/**
 * The call id of a frame that does not decode (a bad attachment, a wrong shape), when its JSON still names one, so
 * the sender gets an error answer instead of waiting forever.
 */
export function readableCallId(data: ArrayBuffer | Uint8Array): number | undefined {
  try {
    const message: unknown = JSON.parse(splitFrame(data).json);
    const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
    return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
