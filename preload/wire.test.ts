import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, readableCallId } from './wire';

function frameOfJson(text: string, bodyBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(text);
  const frame = new Uint8Array(((4 + json.length + 7) & ~7) + bodyBytes);
  new DataView(frame.buffer).setUint32(0, json.length, true);
  frame.set(json, 4);
  return frame;
}

describe('wire frames', () => {
  it('round-trips JSON with typed arrays as aligned binary attachments', () => {
    const section = new Float32Array([1.5, -2, Number.NaN, 3e-38]);
    const mask = new Uint8Array([1, 0, 1]);
    const frame = encodeFrame({
      t: 'result',
      id: 7,
      ok: true,
      value: { shape: [2, 2], section, mask, label: 'il 100' },
    });
    const decoded = decodeFrame(frame) as { id: number; value: { section: Float32Array; mask: Uint8Array } };
    expect(decoded.id).toBe(7);
    expect(decoded.value.section).toBeInstanceOf(Float32Array);
    expect(new Uint32Array(decoded.value.section.buffer, decoded.value.section.byteOffset, 4)).toEqual(
      new Uint32Array(section.buffer),
    );
    expect(Array.from(decoded.value.mask)).toEqual([1, 0, 1]);
  });

  it('sends a subarray view, not its whole buffer', () => {
    const whole = new Float32Array(1000).map((_, i) => i);
    const frame = encodeFrame({ t: 'call', id: 1, method: 'x.y', args: [whole.subarray(10, 13)] });
    expect(frame.byteLength).toBeLessThan(200);
    const decoded = decodeFrame(frame) as { args: Float32Array[] };
    expect(Array.from(decoded.args[0]!)).toEqual([10, 11, 12]);
  });

  it('rejects malformed frames with a TypeError', () => {
    expect(() => decodeFrame(new Uint8Array([1, 2]))).toThrow(TypeError);
    const lying = new Uint8Array(8);
    new DataView(lying.buffer).setUint32(0, 1000, true);
    expect(() => decodeFrame(lying)).toThrow(/more JSON/);
    const json = new TextEncoder().encode('{"$bin":{"type":"Float32Array","offset":0,"length":1000}}');
    const bad = new Uint8Array(8 + json.length);
    new DataView(bad.buffer).setUint32(0, json.length, true);
    bad.set(json, 4);
    expect(() => decodeFrame(bad)).toThrow(/past the end/);
    const notJson = new Uint8Array([3, 0, 0, 0, 0x7b, 0x7b, 0x7b]);
    expect(() => decodeFrame(notJson)).toThrow();
  });

  it('takes typed-array tags only from its own table, never from the prototype chain', () => {
    for (const tag of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const frame = frameOfJson(`{"x":{"$bin":{"type":"${tag}","offset":0,"length":1}}}`, 8);
      expect(() => decodeFrame(frame), tag).toThrow(/malformed binary attachment/);
    }
    const negative = frameOfJson('{"x":{"$bin":{"type":"Uint8Array","offset":-8,"length":1}}}', 8);
    expect(() => decodeFrame(negative)).toThrow(TypeError);
  });

  it('reads the call id of a frame whose JSON parses but whose attachments do not', () => {
    expect(
      readableCallId(frameOfJson('{"t":"call","id":12,"args":[{"$bin":{"type":"toString","offset":0,"length":1}}]}')),
    ).toBe(12);
    expect(readableCallId(frameOfJson('{"t":"call","id":"12"}'))).toBeUndefined();
    expect(readableCallId(frameOfJson('{"t":'))).toBeUndefined();
    expect(readableCallId(new Uint8Array([1]))).toBeUndefined();
  });
});
