import { describe, expect, it } from 'vitest';
import { parseSafetensors, serializeSafetensors, toFloat32 } from './safetensors.js';

describe('safetensors', () => {
  it('round-trips float32 tensors, header padded to 8 bytes, names in order', () => {
    const tensors = new Map([
      ['b.weight', { shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-8, -7]) }],
      ['a.bias', { shape: [1], data: Float32Array.from([42]) }],
    ]);
    const bytes = serializeSafetensors(tensors);
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLen % 8).toBe(0);
    const { tensors: parsed, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...parsed.keys()]).toEqual(['b.weight', 'a.bias']);
    expect(parsed.get('b.weight')!.shape).toEqual([2, 3]);
    expect(Array.from(toFloat32('b.weight', parsed.get('b.weight')!))).toEqual(Array.from(tensors.get('b.weight')!.data));
  });

  it('converts F16 and BF16 (hand-encoded bit patterns)', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555]).buffer);
    expect(Array.from(toFloat32('h', { dtype: 'F16', shape: [5], bytes: f16 }))).toEqual([1, -2, 65504, 2 ** -24, Math.fround(0.333251953125)]);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc0a0, 0x3eaa]).buffer);
    expect(Array.from(toFloat32('b', { dtype: 'BF16', shape: [3], bytes: bf16 }))).toEqual([1, -5, 0.33203125]);
    expect(() => toFloat32('i', { dtype: 'I64', shape: [1], bytes: new Uint8Array(8) })).toThrow(/tensor i has dtype I64/);
  });

  it('rejects truncated files and out-of-range offsets, naming the tensor', () => {
    expect(() => parseSafetensors(new Uint8Array(4), 'x.safetensors')).toThrow(/x\.safetensors: file has 4 bytes/);
    const header = new TextEncoder().encode(JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }));
    const buf = new Uint8Array(8 + header.length + 8);
    new DataView(buf.buffer).setBigUint64(0, BigInt(header.length), true);
    buf.set(header, 8);
    expect(() => parseSafetensors(buf)).toThrow(/tensor w has data_offsets \[0, 16\] outside the data section \(8 bytes\)/);
  });
});
