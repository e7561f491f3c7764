import { packageConfig } from '../../tools/tsup-config';

// tfjs is a peer: the policy's tensors and variables must come from the same tfjs engine as ours.
// replica-worker is the script each replica worker thread runs (found next to the built index).
export default packageConfig({ entry: ['src/index.ts', 'src/replica-worker.ts'], shims: true, external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core'] });
