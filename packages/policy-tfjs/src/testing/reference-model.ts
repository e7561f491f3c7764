// Test-only: an independent plain-JS (float64) forward pass of a Llama/Qwen2 decoder written directly
// from the Hugging Face modeling code (HF weight layout: Linear weights [out, in], y = x Wᵀ + b).
import type { ModelDims } from '../model-config.js';
import type { Float32Entry } from '../safetensors.js';

type Vec = Float64Array;

function linear(x: Vec, w: Float32Entry, bias?: Float32Entry): Vec {
  const [out, inp] = w.shape as [number, number];
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = bias ? bias.data[o]! : 0;
    for (let i = 0; i < inp; i++) s += w.data[o * inp + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rms(x: Vec, w: Float32Entry, eps: number): Vec {
  let ms = 0;
  for (const v of x) ms += v * v;
  const r = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * r * w.data[i]!);
}

function rope(x: Vec, pos: number, heads: number, hd: number, theta: number): Vec {
  const out = new Float64Array(x.length);
  const half = hd / 2;
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < hd; i++) {
      const pair = i % half;
      const angle = pos * Math.pow(theta, (-2 * pair) / hd);
      const rot = i < half ? -x[h * hd + i + half]! : x[h * hd + i - half]!;
      out[h * hd + i] = x[h * hd + i]! * Math.cos(angle) + rot * Math.sin(angle);
    }
  }
  return out;
}

/** Logits `[T][V]` of one sequence, positions 0…T−1. */
export function referenceLogits(d: ModelDims, w: ReadonlyMap<string, Float32Entry>, ids: readonly number[]): Vec[] {
  const g = (n: string): Float32Entry => w.get(n)!;
  const emb = g('model.embed_tokens.weight');
  let xs: Vec[] = ids.map((id) => Float64Array.from(emb.data.subarray(id * d.hidden, (id + 1) * d.hidden)));
  for (let l = 0; l < d.layers; l++) {
    const p = `model.layers.${l}`;
    const hs = xs.map((x) => rms(x, g(`${p}.input_layernorm.weight`), d.eps));
    const qs = hs.map((h, t) => rope(linear(h, g(`${p}.self_attn.q_proj.weight`), w.get(`${p}.self_attn.q_proj.bias`)), t, d.heads, d.headDim, d.ropeTheta));
    const ks = hs.map((h, t) => rope(linear(h, g(`${p}.self_attn.k_proj.weight`), w.get(`${p}.self_attn.k_proj.bias`)), t, d.kvHeads, d.headDim, d.ropeTheta));
    const vs = hs.map((h) => linear(h, g(`${p}.self_attn.v_proj.weight`), w.get(`${p}.self_attn.v_proj.bias`)));
    const attn = qs.map((q, t) => {
      const o = new Float64Array(d.heads * d.headDim);
      for (let h = 0; h < d.heads; h++) {
        const kvh = Math.floor(h / (d.heads / d.kvHeads));
        const scores: number[] = [];
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          for (let i = 0; i < d.headDim; i++) dot += q[h * d.headDim + i]! * ks[s]![kvh * d.headDim + i]!;
          scores.push(dot / Math.sqrt(d.headDim));
        }
        const m = Math.max(...scores);
        const e = scores.map((x) => Math.exp(x - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let s = 0; s <= t; s++) for (let i = 0; i < d.headDim; i++) o[h * d.headDim + i]! += (e[s]! / z) * vs[s]![kvh * d.headDim + i]!;
      }
      return o;
    });
    xs = xs.map((x, t) => {
      const a = linear(attn[t]!, g(`${p}.self_attn.o_proj.weight`));
      const x1 = x.map((v, i) => v + a[i]!);
      const h2 = rms(x1, g(`${p}.post_attention_layernorm.weight`), d.eps);
      const gate = linear(h2, g(`${p}.mlp.gate_proj.weight`));
      const up = linear(h2, g(`${p}.mlp.up_proj.weight`));
      const act = gate.map((v, i) => (v / (1 + Math.exp(-v))) * up[i]!);
      const m = linear(act, g(`${p}.mlp.down_proj.weight`));
      return x1.map((v, i) => v + m[i]!);
    });
  }
  const head = w.get('lm_head.weight') ?? emb;
  return xs.map((x) => linear(rms(x, g('model.norm.weight'), d.eps), head));
}

/** log-softmax of a logits row (float64). */
export function logSoftmax(z: Vec): Vec {
  const m = Math.max(...z);
  let s = 0;
  for (const v of z) s += Math.exp(v - m);
  const lz = m + Math.log(s);
  return z.map((v) => v - lz);
}
