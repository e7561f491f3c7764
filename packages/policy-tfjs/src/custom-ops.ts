import * as tf from '@tensorflow/tfjs';

// Memory-lean differentiable blocks. tfjs keeps every intermediate of a gradient scope alive until the
// scope ends, so a chain of elementwise ops costs one activation per op per token. These blocks run their
// forward pass inside tf.tidy (only the output survives), save just their inputs, and recompute the cheap
// parts in the backward pass. All matmuls are plain 2-D (the fast wasm path), transposes explicit.

type Op<A extends tf.Tensor[]> = (...inputs: A) => tf.Tensor;

function customOp<A extends tf.Tensor[]>(
  forward: (...inputs: A) => tf.Tensor,
  backward: (dy: tf.Tensor, inputs: A) => tf.Tensor[],
): Op<A> {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const inputs = args.slice(0, -1) as A;
    save(inputs);
    const value = tf.tidy(() => forward(...inputs));
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => tf.tidy(() => backward(dy, saved as A));
    return { value, gradFunc };
  }) as unknown as Op<A>;
}

const rmsNormOps = new Map<number, Op<[tf.Tensor2D, tf.Tensor1D]>>();

/**
 * RMSNorm y = x · r · w with r = rsqrt(mean(x²) + ε). Backward: with x̂ = x·r and g = dy·w,
 * dx = r · (g − x̂ · mean(g·x̂)), dw = Σ_rows dy·x̂.
 */
export function rmsNormOp(x: tf.Tensor2D, w: tf.Tensor1D, eps: number): tf.Tensor2D {
  let op = rmsNormOps.get(eps);
  if (!op) {
    const norm = (v: tf.Tensor): { r: tf.Tensor; xhat: tf.Tensor } => {
      const r = tf.rsqrt(tf.add(tf.mean(tf.square(v), -1, true), eps));
      return { r, xhat: tf.mul(v, r) };
    };
    op = customOp<[tf.Tensor2D, tf.Tensor1D]>(
      (xx, ww) => tf.mul(norm(xx).xhat, ww),
      (dy, [xx, ww]) => {
        const { r, xhat } = norm(xx);
        const g = tf.mul(dy, ww);
        const dx = tf.mul(r, tf.sub(g, tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))));
        return [dx, tf.sum(tf.mul(dy, xhat), 0)];
      },
    );
    rmsNormOps.set(eps, op);
  }
  return op(x, w) as tf.Tensor2D;
}

let swiGluOp: Op<[tf.Tensor2D]> | undefined;

/**
 * SwiGLU on a fused `[N, 2I]` projection `[gate | up]`: silu(gate) · up, `[N, I]`. Backward with
 * s = σ(gate): d gate = dy · up · s · (1 + gate · (1 − s)), d up = dy · gate · s.
 */
export function swiGlu(gateUp: tf.Tensor2D): tf.Tensor2D {
  swiGluOp ??= customOp<[tf.Tensor2D]>(
    (gu) => {
      const [g, u] = tf.split(gu, 2, 1);
      return tf.mul(tf.mul(g!, tf.sigmoid(g!)), u!);
    },
    (dy, [gu]) => {
      const [g, u] = tf.split(gu, 2, 1);
      const s = tf.sigmoid(g!);
      const dg = tf.mul(tf.mul(dy, u!), tf.mul(s, tf.add(1, tf.mul(g!, tf.sub(1, s)))));
      const du = tf.mul(dy, tf.mul(g!, s));
      return [tf.concat([dg, du], 1)];
    },
  );
  return swiGluOp(gateUp) as tf.Tensor2D;
}

/**
 * Attention blocks o = softmax(q·kT + mask)·v with q `[M, d]`, kT `[d, T]`, v `[T, d]` and a constant
 * `mask` `[M, T]`. Saves only the inputs; the backward pass recomputes the probabilities p (no `[M, T]`
 * tensor outlives the forward pass): dv = pᵀ·do, dp = do·vᵀ, ds = p·(dp − Σ_row dp·p), dq = ds·kTᵀ,
 * dkT = qᵀ·ds. Returns the block function for this mask.
 */
export function attentionBlock(mask: tf.Tensor2D): (q: tf.Tensor2D, kT: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D {
  const probs = (q: tf.Tensor, kT: tf.Tensor): tf.Tensor => tf.softmax(tf.add(tf.matMul(q as tf.Tensor2D, kT as tf.Tensor2D), mask));
  return customOp<[tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]>(
    (q, kT, v) => tf.matMul(probs(q, kT) as tf.Tensor2D, v),
    (dy, [q, kT, v]) => {
      const p = probs(q, kT);
      const dv = tf.matMul(tf.transpose(p), dy);
      const dp = tf.matMul(dy, tf.transpose(v));
      const ds = tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
      return [tf.matMul(ds, tf.transpose(kT)), tf.matMul(tf.transpose(q), ds), dv];
    },
  ) as (q: tf.Tensor2D, kT: tf.Tensor2D, v: tf.Tensor2D) => tf.Tensor2D;
}

/** Rows per chunk of the LM-head op: keeps each `[rows, V]` temporary at or below 2^24 floats (64 MiB). */
export function headChunkRows(vocab: number): number {
  return Math.max(1, Math.floor(2 ** 24 / vocab));
}

/**
 * Per-row log-prob of `targets` and entropy under softmax(h·W / T), as `[n, 2]` (column 0: ln p(target),
 * column 1: H = −Σ p ln p). Rows are processed in chunks ({@link headChunkRows}) and no `[rows, V]` tensor
 * outlives a chunk: the backward pass recomputes the softmax. This bounds memory for real vocabularies
 * (150k ids) too. With z the scaled logits, a = d/d lnp and b = d/dH:
 * dz = a·onehot(target) − p·(a + b·(ln p + H)), d logits = dz / T, dh = d logits · Wᵀ, dW = hᵀ · d logits.
 */
export function headLogprobEntropy(
  h: tf.Tensor2D,
  w: tf.Tensor2D,
  targets: Int32Array,
  temperature: number,
  chunk = headChunkRows(w.shape[1]),
): tf.Tensor2D {
  const [n, hidden] = h.shape;
  const vocab = w.shape[1];
  const starts: number[] = [];
  for (let s = 0; s < n; s += chunk) starts.push(s);
  const rows = (x: tf.Tensor2D, s: number): tf.Tensor2D => (starts.length === 1 ? x : tf.slice(x, [s, 0], [Math.min(chunk, n - s), hidden]));
  // Flat indices r·V + target and [r, target] pairs of a chunk (gather / scatter of the target column).
  const flat = (s: number, m: number): tf.Tensor1D => tf.tensor1d(Int32Array.from({ length: m }, (_, r) => r * vocab + targets[s + r]!), 'int32');
  const pairs = (s: number, m: number): tf.Tensor2D =>
    tf.tensor2d(Int32Array.from({ length: 2 * m }, (_, i) => (i % 2 === 0 ? i / 2 : targets[s + (i - 1) / 2]!)), [m, 2], 'int32');
  const logp = (hh: tf.Tensor2D, ww: tf.Tensor2D): tf.Tensor2D => {
    const z = tf.matMul(hh, ww);
    return tf.logSoftmax(temperature === 1 ? z : tf.div(z, temperature)) as tf.Tensor2D;
  };
  const op = customOp<[tf.Tensor2D, tf.Tensor2D]>(
    (hh, ww) => {
      const parts = starts.map((s) =>
        tf.tidy(() => {
          const lp = logp(rows(hh, s), ww);
          const m = lp.shape[0];
          const tokenLp = tf.gather(lp.reshape([m * vocab]), flat(s, m)).reshape([m, 1]);
          const entropy = tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), 1, true));
          return tf.concat([tokenLp, entropy], 1);
        }),
      );
      return parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
    },
    (dy, [hh, ww]) => {
      let dw: tf.Tensor | undefined;
      const dhs = starts.map((s) => {
        const out = tf.tidy(() => {
          const lp = logp(rows(hh, s), ww);
          const m = lp.shape[0];
          const p = tf.exp(lp);
          const entropy = tf.neg(tf.sum(tf.mul(p, lp), 1, true));
          const [a, b] = tf.split(starts.length === 1 ? dy : tf.slice(dy, [s, 0], [m, 2]), 2, 1);
          let dz = tf.sub(tf.scatterND(pairs(s, m), a!.reshape([m]), [m, vocab]), tf.mul(p, tf.add(a!, tf.mul(b!, tf.add(lp, entropy)))));
          if (temperature !== 1) dz = tf.div(dz, temperature);
          const dwPart = tf.matMul(tf.transpose(rows(hh, s)), dz);
          return { dh: tf.matMul(dz, tf.transpose(ww)), dw: dw ? tf.add(dw, dwPart) : dwPart };
        });
        dw?.dispose();
        dw = out.dw;
        return out.dh;
      });
      return [dhs.length === 1 ? dhs[0]! : tf.concat(dhs, 0), dw!];
    },
  );
  return op(h, w) as tf.Tensor2D;
}
