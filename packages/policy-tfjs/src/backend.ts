import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm'; // registers the 'wasm' backend
import { ArpoError } from '@arpo/core';
import { patchWasmSliceKernels } from './wasm-slice-patch.js';

/** Which tfjs backend to run on. `auto`: tfjs-node(-gpu) when installed, else wasm, else cpu. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

/** The backend that {@link selectBackend} activated, and why. */
export interface BackendSelection {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** One line: why this backend (what was tried and what failed). */
  reason: string;
  /** The npm package that provided the `tensorflow` backend. */
  package?: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node';
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Where the choice is logged (default `console.info`); pass `() => {}` to silence. */
  log?: (message: string) => void;
  /**
   * On wasm, re-register the Slice/SplitV/Unpack kernels with O(slice) versions (same results; see
   * {@link patchWasmSliceKernels}). Default true: per-head attention depends on cheap slices.
   */
  patchWasmKernels?: boolean;
}

const NODE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

/** Imports a module by a computed name, so bundlers leave the optional peers alone. */
const importOptional = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

async function tryTensorflow(tried: string[]): Promise<BackendSelection | undefined> {
  for (const pkg of NODE_PACKAGES) {
    try {
      await importOptional(pkg);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const message = String((error as Error).message ?? error);
      tried.push(
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)|Could not resolve/.test(message)
          ? `${pkg} not installed`
          : `${pkg} failed to load (${message.split('\n')[0]})`,
      );
      continue;
    }
    if (await setBackendSafe('tensorflow')) {
      return { backend: 'tensorflow', package: pkg, reason: `${pkg} is installed and its 'tensorflow' backend initialised` };
    }
    tried.push(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
  }
  return undefined;
}

function threadsNote(): string {
  const n = tfWasm.getThreadsCount();
  if (n > 1) return `${n} threads`;
  return tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? '1 thread' : '1 thread: tfjs-backend-wasm disables threads under Node';
}

async function setBackendSafe(name: string): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Activates a tfjs backend and says why. `tensorflow` needs the optional peer `@tensorflow/tfjs-node-gpu`
 * or `@tensorflow/tfjs-node` (resolved at run time, never a hard dependency); `auto` tries those, then
 * wasm (XNNPACK, SIMD, one thread in Node), then cpu. Throws `ArpoError` when an explicit choice fails.
 */
export async function selectBackend(choice: BackendChoice = 'auto', options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const log = options.log ?? ((m: string) => console.info(m));
  const tried: string[] = [];
  let selection: BackendSelection | undefined;
  if (choice === 'auto' || choice === 'tensorflow') {
    selection = await tryTensorflow(tried);
    if (!selection && choice === 'tensorflow') {
      throw new ArpoError(`backend 'tensorflow' unavailable: ${tried.join('; ')} (install @tensorflow/tfjs-node or @tensorflow/tfjs-node-gpu)`);
    }
  }
  if (!selection && (choice === 'auto' || choice === 'wasm')) {
    if (await setBackendSafe('wasm')) {
      const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
      const patched = options.patchWasmKernels === false ? false : patchWasmSliceKernels();
      const prefix = choice === 'auto' ? `${tried.join(', ')}; ` : '';
      selection = {
        backend: 'wasm',
        reason: `${prefix}wasm backend (SIMD ${simd ? 'on' : 'off'}, ${threadsNote()}${patched ? ', O(slice) Slice/SplitV/Unpack kernels' : ''})`,
      };
    } else if (choice === 'wasm') {
      throw new ArpoError("backend 'wasm' failed to initialise (is @tensorflow/tfjs-backend-wasm installed with its .wasm files?)");
    } else {
      tried.push('wasm failed to initialise');
    }
  }
  if (!selection) {
    if (!(await setBackendSafe('cpu'))) throw new ArpoError("backend 'cpu' failed to initialise");
    selection = {
      backend: 'cpu',
      reason: choice === 'cpu' ? 'cpu requested (about 30x slower than wasm for matmuls)' : `${tried.join('; ')}; falling back to cpu`,
    };
  }
  log(`[@arpo/policy-tfjs] backend: ${selection.backend} (${selection.reason})`);
  return selection;
}
