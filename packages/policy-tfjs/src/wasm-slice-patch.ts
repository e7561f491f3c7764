import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's `BackendWasm` the patched kernels use. */
interface WasmBackendLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  attrs?: Record<string, unknown>;
  backend: unknown;
};

const PATCHED = Symbol.for('arpo.policy-tfjs.wasm-slice-patch');
let originalSlice: tf.KernelFunc | undefined;

/**
 * Copies `size` elements of `x` starting at `begin` into a new wasm tensor, touching only the slice.
 * Stock tfjs-backend-wasm 4.22 `Slice` first copies the whole input out of the heap (`readSync`), so
 * `tf.unstack` of a `[B·H, T, d]` tensor costs O(B·H × whole tensor); see research/tfjs-perf.md §2.
 */
function sliceHeap(x: tf.TensorInfo, begin: number[], size: number[], backend: WasmBackendLike): tf.TensorInfo {
  const out = backend.makeOutput(size, x.dtype); // may grow the heap: take views after this
  const total = tf.util.sizeFromShape(size);
  if (total === 0) return out;
  const src = backend.typedArrayFromHeap(x);
  const dst = backend.typedArrayFromHeap(out);
  const shape = x.shape;
  const rank = shape.length;
  if (rank === 0) {
    dst.set(src.subarray(0, 1));
    return out;
  }
  const strides = [...tf.util.computeStrides(shape), 1];
  // Innermost contiguous run: trailing dims the slice spans completely merge into one copy.
  let d = rank - 1;
  let run = size[d]!;
  while (d > 0 && size[d] === shape[d]) {
    d--;
    run *= size[d]!;
  }
  const idx = new Array<number>(d).fill(0);
  let outOffset = 0;
  for (;;) {
    let offset = begin[d]! * strides[d]!;
    for (let k = 0; k < d; k++) offset += (begin[k]! + idx[k]!) * strides[k]!;
    dst.set(src.subarray(offset, offset + run), outOffset);
    outOffset += run;
    let k = d - 1;
    while (k >= 0) {
      idx[k]!++;
      if (idx[k]! < size[k]!) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
  return out;
}

function sliceKernel(args: KernelArgs): tf.TensorInfo {
  const x = args.inputs['x']!;
  if (x.dtype === 'string') return originalSlice!(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as unknown as tf.Tensor,
    args.attrs!['begin'] as number[],
    args.attrs!['size'] as number[] | undefined,
  ) as [number[], number[]];
  return sliceHeap(x, begin, size, args.backend as WasmBackendLike);
}

function splitVKernel(args: KernelArgs): tf.TensorInfo[] {
  const x = args.inputs['x']!;
  const axis = tf.util.parseAxisParam(args.attrs!['axis'] as number, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(
    x as unknown as tf.Tensor,
    args.attrs!['numOrSizeSplits'] as number | number[],
    axis,
  );
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const out = sliceKernel({ inputs: { x }, attrs: { begin: begin.slice(), size }, backend: args.backend });
    begin[axis]! += s;
    return out;
  });
}

function unpackKernel(args: KernelArgs): tf.TensorInfo[] {
  const value = args.inputs['value']!;
  let axis = args.attrs!['axis'] as number;
  if (axis < 0) axis += value.shape.length;
  const outShape = value.shape.filter((_, i) => i !== axis);
  const begin = new Array<number>(value.shape.length).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outs: tf.TensorInfo[] = [];
  for (let i = 0; i < value.shape[axis]!; i++) {
    begin[axis] = i;
    const o = sliceKernel({ inputs: { x: value }, attrs: { begin: begin.slice(), size }, backend: args.backend });
    outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
  }
  return outs;
}

/**
 * Re-registers the wasm `Slice`, `SplitV` and `Unpack` kernels with versions that copy only the slice
 * (same results, O(slice) instead of O(input)). Idempotent; a no-op when the wasm backend is not
 * registered. Applied by {@link selectBackend} when it activates wasm (opt out with
 * `patchWasmKernels: false`). Returns whether the patch is (now) active.
 */
export function patchWasmSliceKernels(): boolean {
  const current = tf.getKernel('Slice', 'wasm');
  if (!current) return false;
  if ((current.kernelFunc as unknown as Record<symbol, boolean>)[PATCHED]) return true;
  originalSlice = current.kernelFunc;
  const replacements: [string, (a: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]][] = [
    ['Slice', sliceKernel],
    ['SplitV', splitVKernel],
    ['Unpack', unpackKernel],
  ];
  for (const [name, fn] of replacements) {
    const config = tf.getKernel(name, 'wasm');
    if (!config) continue;
    const kernelFunc = fn as unknown as tf.KernelFunc;
    (kernelFunc as unknown as Record<symbol, boolean>)[PATCHED] = true;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...config, kernelFunc });
  }
  return true;
}
