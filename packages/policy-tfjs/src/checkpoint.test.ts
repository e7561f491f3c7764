import * as tf from '@tensorflow/tfjs';
import { ArpoConfigError } from '@arpo/core';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { BuiltinTokenizer } from './builtin-tokenizer.js';
import { parameterSpecs } from './decoder-weights.js';
import { modelDims, parseModelConfig } from './model-config.js';
import type { Float32Entry } from './safetensors.js';
import { TfjsPolicy } from './tfjs-policy.js';
import { randomizeVariables } from './testing/randomize.js';
import { logSoftmax, referenceLogits } from './testing/reference-model.js';
import { useWasm } from './testing/setup-backend.js';
import { TINY_LLAMA, TINY_QWEN2, tinyTokenizer } from './testing/tiny.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'policy-tfjs-ckpt-'));

/** Independent safetensors writer (test-only): header JSON padded to 8 bytes, then little-endian data. */
function writeSafetensors(path: string, tensors: [string, { dtype: 'F32' | 'BF16'; shape: number[]; data: Float32Array }][]): void {
  const header: Record<string, unknown> = {};
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.dtype === 'F32' ? Buffer.alloc(4 * t.data.length) : Buffer.alloc(2 * t.data.length);
    t.data.forEach((v, i) => {
      if (t.dtype === 'F32') bytes.writeFloatLE(v, 4 * i);
      else {
        const f = Buffer.alloc(4);
        f.writeFloatLE(v);
        bytes.writeUInt16LE(f.readUInt32LE() >>> 16, 2 * i); // truncate to bfloat16
      }
    });
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    chunks.push(bytes);
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([len, Buffer.from(json), ...chunks]));
}

/** Random HF-layout tensors for a config (test-only, independent of the package's init). */
function randomHf(config: object, seed: number): Map<string, Float32Entry> {
  const dims = modelDims(parseModelConfig(config));
  let x = seed;
  const rand = (): number => ((x = (Math.imul(1664525, x) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.8;
  const out = new Map<string, Float32Entry>();
  for (const spec of parameterSpecs(dims)) {
    const n = spec.hfShape.reduce((a, b) => a * b, 1);
    out.set(spec.name, { shape: spec.hfShape, data: Float32Array.from({ length: n }, () => (spec.init === 'ones' ? 1 + rand() * 0.3 : rand())) });
  }
  return out;
}

function writeFolder(dir: string, config: object, hf: Map<string, Float32Entry>, dtype: 'F32' | 'BF16' = 'F32', extra: [string, Float32Entry][] = []): void {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ architectures: ['Qwen2ForCausalLM'], transformers_version: '4.45.0', ...config }));
  writeSafetensors(join(dir, 'model.safetensors'), [...hf, ...extra].map(([n, t]) => [n, { dtype, ...t }]));
  const tok = tinyTokenizer();
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tok.toTokenizerJson()));
}

beforeAll(async () => {
  expect(await useWasm()).toBe('wasm');
});

describe('checkpoints in the Hugging Face layout', () => {
  it('save writes the HF files atomically with HF names and [out, in] Linear weights; load restores it identically', async () => {
    const policy = await TfjsPolicy.create(TINY_LLAMA, { tokenizer: tinyTokenizer(), seed: 4, backend: 'current' });
    randomizeVariables(policy.variablesByName(), 3);
    const dir = tmp();
    await policy.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    // Read the safetensors header directly.
    const buf = readFileSync(join(dir, 'model.safetensors'));
    const headerLen = Number(buf.readBigUInt64LE(0));
    expect(headerLen % 8).toBe(0);
    const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString()) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const q = header['model.layers.0.self_attn.q_proj.weight']!;
    expect(q).toMatchObject({ dtype: 'F32', shape: [16, 16] });
    const k = header['model.layers.1.self_attn.k_proj.weight']!;
    expect(k.shape).toEqual([8, 16]); // [kvHeads·headDim, hidden]
    const kData = new Float32Array(buf.buffer.slice(buf.byteOffset + 8 + headerLen + k.data_offsets[0], buf.byteOffset + 8 + headerLen + k.data_offsets[1]));
    const kInternal = policy.variablesByName().get('model.layers.1.self_attn.k_proj.weight')!.arraySync() as number[][]; // [in, out]
    expect(kData[3 * 16 + 5]).toBe(kInternal[5]![3]); // HF [out=3, in=5] = internal [in=5, out=3]
    expect(Object.keys(header).filter((n) => n !== '__metadata__')).toHaveLength(parameterSpecs(policy.dims).length);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 16, num_key_value_heads: 2, torch_dtype: 'float32' });
    expect(JSON.parse(readFileSync(join(dir, 'generation_config.json'), 'utf8'))).toMatchObject({ eos_token_id: 2, bos_token_id: 1, pad_token_id: 0 });

    const loaded = await TfjsPolicy.load(dir, { backend: 'current' });
    expect(loaded.tokenizer).toBeInstanceOf(BuiltinTokenizer);
    expect(loaded.tokenizer.encode('What is the capital of France? <search>')).toEqual(policy.tokenizer.encode('What is the capital of France? <search>'));
    for (const [name, v] of policy.variablesByName()) {
      expect(loaded.variablesByName().get(name)!.dataSync()).toEqual(v.dataSync());
    }
    const req = { prefixes: [[1, 300, 301]], maxNewTokens: 6, sampling: { temperature: 1, topP: 1, topK: 0 }, seed: 3 };
    expect((await loaded.generate(req))[0]!.tokens).toEqual((await policy.generate(req))[0]!.tokens);
    loaded.dispose();
    policy.dispose();
  });

  it('loads a Qwen2-style folder (q/k/v bias, tied embeddings, bf16, rotary inv_freq buffer) written by the test', async () => {
    for (const dtype of ['F32', 'BF16'] as const) {
      const dir = tmp();
      const hf = randomHf(TINY_QWEN2, 17);
      writeFolder(dir, TINY_QWEN2, hf, dtype, [['model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [2], data: new Float32Array([1, 0.1]) }]]);
      const policy = await TfjsPolicy.load(dir, { backend: 'current' });
      expect(policy.dims.qkvBias).toBe(true);
      expect(policy.dims.tied).toBe(true);
      if (dtype === 'BF16') for (const t of hf.values()) t.data.forEach((v, i) => (t.data[i] = new Float32Array(new Uint32Array([new Uint32Array(new Float32Array([v]).buffer)[0]! & 0xffff0000]).buffer)[0]!));
      const bias = policy.variablesByName().get('model.layers.1.self_attn.v_proj.bias')!.dataSync();
      expect(Array.from(bias)).toEqual(Array.from(hf.get('model.layers.1.self_attn.v_proj.bias')!.data));
      const seq = { promptTokens: [1, 300, 301], responseTokens: [302, 20, 2] };
      const lp = tf.tidy(() => policy.scoreTokens({ sequences: [seq] }).logprobs.arraySync())[0]!;
      const ref = referenceLogits(policy.dims, hf, [...seq.promptTokens, ...seq.responseTokens]);
      seq.responseTokens.forEach((t, j) => expect(lp[j]!).toBeCloseTo(logSoftmax(ref[2 + j]!)[t]!, 4));
      policy.dispose();
    }
  });

  it('reports a missing, mis-shaped or unexpected tensor by name, and an invalid config by field', async () => {
    const hf = randomHf(TINY_QWEN2, 5);
    const missing = tmp();
    const withoutBias = new Map(hf);
    withoutBias.delete('model.layers.1.self_attn.k_proj.bias');
    writeFolder(missing, TINY_QWEN2, withoutBias);
    await expect(TfjsPolicy.load(missing, { backend: 'current' })).rejects.toThrow(/missing tensor model\.layers\.1\.self_attn\.k_proj\.bias \(expected shape \[8\]\)/);
    const misshaped = tmp();
    const bad = new Map(hf);
    bad.set('model.layers.0.mlp.up_proj.weight', { shape: [16, 24], data: new Float32Array(16 * 24) });
    writeFolder(misshaped, TINY_QWEN2, bad);
    await expect(TfjsPolicy.load(misshaped, { backend: 'current' })).rejects.toThrow(/tensor model\.layers\.0\.mlp\.up_proj\.weight has shape \[16, 24\] \(expected \[24, 16\]\)/);
    const unexpected = tmp();
    writeFolder(unexpected, TINY_QWEN2, hf, 'F32', [['model.layers.2.mlp.up_proj.weight', { shape: [1], data: new Float32Array(1) }]]);
    await expect(TfjsPolicy.load(unexpected, { backend: 'current' })).rejects.toThrow(/unexpected tensor model\.layers\.2\.mlp\.up_proj\.weight/);
    const badConfig = tmp();
    writeFolder(badConfig, { ...TINY_QWEN2, num_key_value_heads: 3 }, hf);
    await expect(TfjsPolicy.load(badConfig, { backend: 'current' })).rejects.toBeInstanceOf(ArpoConfigError);
    await expect(TfjsPolicy.load(tmp(), { backend: 'current' })).rejects.toThrow(/no config\.json/);
  });

  it('writeFileAtomic leaves no temporary file behind, also when the write fails', async () => {
    const dir = tmp();
    await writeFileAtomic(join(dir, 'a.json'), '{"x":1}');
    await writeFileAtomic(join(dir, 'a.json'), '{"x":2}');
    expect(readdirSync(dir)).toEqual(['a.json']);
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"x":2}');
    await expect(writeFileAtomic(join(dir, 'missing-dir', 'b.json'), 'x')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['a.json']);
  });
});
