import { packageConfig } from '../../tools/tsup-config';

// tfjs and the optional tfjs-node peers are resolved from the user's node_modules, never bundled.
export default packageConfig({
  external: [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@huggingface/tokenizers',
  ],
});
