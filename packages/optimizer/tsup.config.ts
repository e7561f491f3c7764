import { packageConfig } from '../../tools/tsup-config';

// tfjs is a peer: the policy's tensors and variables must come from the same tfjs engine as ours.
// gradient-worker is the script each gradient worker thread runs (found next to the built index).
export default packageConfig({ entry: ['src/index.ts', 'src/gradient-worker.ts'], shims: true, external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core'] });
