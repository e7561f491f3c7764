import { packageConfig } from '../../tools/tsup-config';

// tfjs is a peer: the policy's tensors and variables must come from the same tfjs engine as ours.
export default packageConfig({ external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core'] });
