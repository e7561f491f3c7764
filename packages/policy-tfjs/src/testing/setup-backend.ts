// Test-only: activate the wasm backend once per test file (quietly).
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend.js';

export async function useWasm(): Promise<string> {
  if (tf.getBackend() !== 'wasm') await selectBackend('wasm', { log: () => {} });
  return tf.getBackend();
}
