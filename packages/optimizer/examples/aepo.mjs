// @arpo/optimizer: AEPO's loss options and the policy-loss / KL-estimator registries, on plain arrays and tfjs
// tensors. Run from the repository after `npx nx run @arpo/optimizer:build`:
//   node packages/optimizer/examples/aepo.mjs
import * as tf from '@tensorflow/tfjs';
import { parseLossConfig } from '@arpo/core';
import { aggregationWeights, policyLoss, policyLossTensor, registerKlEstimator, registerPolicyLoss } from '@arpo/optimizer';

// Four tokens, log π_old = 0, log πθ = ln ρ; token 0 is clipped (A > 0, ρ = 1.5 > 1 + ε_high).
const input = {
  logprobs: [1.5, 1.1, 0.5, 4].map(Math.log),
  oldLogprobs: [0, 0, 0, 0],
  advantages: [1, 1, -1, -1],
  mask: [1, 1, 1, 1],
  shape: [1, 4],
  entropies: [2, 0, 1.5, 0.5], // H of πθ per token
};

// 1. Same loss value for dual-clip and entropy-balanced; the entropy-aware advantage changes it.
for (const loss of [{ policyLoss: 'dual-clip' }, { policyLoss: 'entropy-balanced' }, { policyLoss: 'entropy-balanced', entropyAdvantageWeight: 0.2 }]) {
  const r = policyLoss(input, loss);
  console.log(`${JSON.stringify(loss)}: loss ${r.loss.toFixed(4)}, clipFrac ${r.metrics.clipFrac}`);
}

// 2. The gradient w.r.t. log πθ on tensors: entropy-balanced keeps −(1 + ε_high)·A·w on the clipped token.
for (const name of ['dual-clip', 'entropy-balanced']) {
  const cfg = parseLossConfig({ policyLoss: name });
  const t = (a) => tf.tensor2d(a, [1, 4]);
  const grad = tf.grad((lp) =>
    policyLossTensor(
      { logprobs: lp, oldLogprobs: t(input.oldLogprobs), advantages: t(input.advantages), mask: t(input.mask), weights: t(Array.from(aggregationWeights(input.mask, input.shape, cfg.aggregation))) },
      cfg,
    ).loss,
  )(t(input.logprobs));
  console.log(`${name}: dL/dlog πθ = [${Array.from(grad.dataSync(), (g) => g.toFixed(4)).join(', ')}]`);
}

// 3. Your own policy loss and KL estimator, selected by name in the loss config.
registerPolicyLoss('unclipped', {
  arrays: ({ logprobs, oldLogprobs, advantages }) => {
    const ratios = Float64Array.from(logprobs, (lp, k) => Math.exp(lp - oldLogprobs[k]));
    return { losses: ratios.map((r, k) => -advantages[k] * r), ratios, branches: new Uint8Array(ratios.length) };
  },
  tensors: ({ logprobs, oldLogprobs, advantages, mask }) => {
    const zero = tf.zerosLike(mask);
    return { losses: tf.mul(tf.neg(advantages), tf.exp(tf.sub(logprobs, oldLogprobs))), low: zero, high: zero, dual: zero };
  },
});
registerKlEstimator('abs', { token: (lp, ref) => Math.abs(lp - ref), tensor: (lp, ref) => tf.abs(tf.sub(lp, ref)) });
const custom = policyLoss({ ...input, refLogprobs: [0, 0, 0, 0] }, { policyLoss: 'unclipped', klEstimator: 'abs', klCoef: 0.1 });
console.log(`unclipped + 0.1·|d|: loss ${custom.loss.toFixed(4)}`);
try {
  policyLoss(input, { policyLoss: 'ppo' });
} catch (error) {
  console.log(error.message);
}
