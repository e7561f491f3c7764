// Test-only: overwrite every variable with seeded random values (so biases and norm gains are non-trivial).
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@arpo/core';

export function randomizeVariables(vars: ReadonlyMap<string, tf.Variable>, seed: number, std = 0.5): void {
  const rng = createRng(seed);
  for (const [name, v] of vars) {
    const values = new Float32Array(v.size);
    const isGain = name.endsWith('norm.weight');
    for (let i = 0; i < values.length; i++) values[i] = (isGain ? 1 : 0) + rng.normal() * (isGain ? 0.2 : std);
    tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
  }
}
