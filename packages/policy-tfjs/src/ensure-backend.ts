import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice, type BackendSelection } from './backend.js';
import { patchWasmSliceKernels } from './wasm-slice-patch.js';

let last: { choice: BackendChoice; selection: BackendSelection } | undefined;

/**
 * {@link selectBackend} once per process and choice (later calls reuse the active backend silently);
 * `current` keeps whatever backend tfjs has (applying the wasm slice patch when it is wasm).
 */
export async function ensureBackend(choice: BackendChoice | 'current', log?: (message: string) => void): Promise<BackendSelection> {
  if (choice === 'current') {
    await tf.ready();
    const name = tf.getBackend();
    if (name === 'wasm') patchWasmSliceKernels();
    return { backend: name as BackendSelection['backend'], reason: 'the backend already active in tfjs' };
  }
  if (last && last.choice === choice && tf.getBackend() === last.selection.backend) return last.selection;
  const selection = await selectBackend(choice, log ? { log } : {});
  last = { choice, selection };
  return selection;
}
