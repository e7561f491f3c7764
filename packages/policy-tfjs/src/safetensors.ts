import { ArpoError } from '@arpo/core';

/** Element types this reader understands (all converted to float32 on load). */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64';

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** One tensor of a safetensors file: its dtype, shape and raw little-endian bytes (a view). */
export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A tensor to write: row-major float32 values of `shape`. */
export interface Float32Entry {
  shape: number[];
  data: Float32Array;
}

/**
 * Parses a safetensors buffer: 8-byte little-endian header length, a JSON header mapping names to
 * `{dtype, shape, data_offsets}` (plus optional `__metadata__`), then the data. Checks offsets and sizes
 * and names the offending tensor in errors. `source` names the file in messages.
 */
export function parseSafetensors(buffer: Uint8Array, source = 'safetensors'): { tensors: Map<string, SafetensorsEntry>; metadata: Record<string, string> } {
  if (buffer.byteLength < 8) throw new ArpoError(`${source}: file has ${buffer.byteLength} bytes (expected an 8-byte header length first)`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > buffer.byteLength - 8) {
    throw new ArpoError(`${source}: header length ${headerLength} exceeds the file size ${buffer.byteLength} (not a safetensors file?)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(buffer.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (error) {
    throw new ArpoError(`${source}: header is not valid JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = buffer.byteLength - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const shape = info.shape;
    const offsets = info.data_offsets;
    if (typeof info.dtype !== 'string' || !Array.isArray(shape) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw new ArpoError(`${source}: tensor ${name} has a malformed header entry ${JSON.stringify(raw)} (expected {dtype, shape, data_offsets})`);
    }
    const [begin, end] = offsets as [number, number];
    if (!(begin >= 0 && end >= begin && end <= dataLength)) {
      throw new ArpoError(`${source}: tensor ${name} has data_offsets [${begin}, ${end}] outside the data section (${dataLength} bytes)`);
    }
    const bytesPer = BYTES[info.dtype as SafetensorsDtype];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (bytesPer !== undefined && count * bytesPer !== end - begin) {
      throw new ArpoError(`${source}: tensor ${name} has ${end - begin} bytes (expected ${count * bytesPer} for ${info.dtype} [${(shape as number[]).join(', ')}])`);
    }
    tensors.set(name, { dtype: info.dtype, shape: shape as number[], bytes: buffer.subarray(dataStart + begin, dataStart + end) });
  }
  return { tensors, metadata };
}

/** Converts an entry to float32 (F32, F16, BF16, F64); throws naming the tensor for other dtypes. */
export function toFloat32(name: string, entry: SafetensorsEntry): Float32Array {
  const n = entry.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
  const out = new Float32Array(n);
  switch (entry.dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u32[i] = view.getUint16(2 * i, true) << 16;
      return out;
    }
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    default:
      throw new ArpoError(`safetensors: tensor ${name} has dtype ${entry.dtype} (expected F32, F16, BF16 or F64)`);
  }
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Serialises float32 tensors as safetensors (dtype F32, little-endian, names in the given order, header
 * padded with spaces to a multiple of 8 bytes as the reference implementation does).
 */
export function serializeSafetensors(tensors: ReadonlyMap<string, Float32Entry>, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new ArpoError(`safetensors: tensor ${name} has ${t.data.length} values (expected ${count} for shape [${t.shape.join(', ')}])`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * count] };
    offset += 4 * count;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  let headerBytes = encoder.encode(json);
  const padded = Math.ceil(headerBytes.length / 8) * 8;
  json += ' '.repeat(padded - headerBytes.length);
  headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors.values()) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + 4 * i, t.data[i]!, true);
    pos += 4 * t.data.length;
  }
  return out;
}
