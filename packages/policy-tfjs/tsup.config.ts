import { packageConfig } from '../../tools/tsup-config';

// tfjs and the optional tfjs-node peers are resolved from the user's node_modules, never bundled.
// shims: import.meta.url in the CJS build (TfjsPolicy.replicaSpec names this bundle for worker threads).
export default packageConfig({
  shims: true,
  external: [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    '@huggingface/tokenizers',
  ],
});
