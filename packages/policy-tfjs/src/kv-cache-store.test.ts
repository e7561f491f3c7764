import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { KvCacheStore } from './kv-cache-store.js';

const entry = (n: number) => ({ tokens: Array.from({ length: n }, (_, i) => i), layers: [{ k: tf.zeros([1, 2, n, 4]) as tf.Tensor4D, v: tf.ones([1, 2, n, 4]) as tf.Tensor4D }] });

describe('KvCacheStore', () => {
  it('evicts the least recently used entry beyond its capacity and disposes it', () => {
    const before = tf.memory().numTensors;
    const store = new KvCacheStore(2);
    const a = entry(3);
    store.set('a', a);
    store.set('b', entry(2));
    store.get('a'); // a is now most recent
    store.set('c', entry(1)); // evicts b
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBe(a);
    expect(store.size).toBe(2);
    expect(store.bytes()).toBe((2 * 3 * 2 * 4 + 2 * 1 * 2 * 4) * 4);
    store.clear();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fork copies the tokens and tensors; release and replacement dispose', () => {
    const before = tf.memory().numTensors;
    const store = new KvCacheStore(10);
    store.set('p', entry(2));
    store.fork('p', 'c');
    store.fork('missing', 'x');
    expect(store.get('x')).toBeUndefined();
    const p = store.get('p')!;
    const c = store.get('c')!;
    expect(c.tokens).toEqual(p.tokens);
    expect(c.tokens).not.toBe(p.tokens);
    expect(c.layers[0]!.v.dataSync()).toEqual(p.layers[0]!.v.dataSync());
    store.release('p');
    expect(c.layers[0]!.v.isDisposed).toBe(false);
    store.set('c', entry(1));
    store.release('c');
    expect(tf.memory().numTensors).toBe(before);
  });
});
