import { packageConfig } from '../../tools/tsup-config';

// tfjs is an optional peer: only types are imported from it, but keep it out of the bundle regardless.
// Two entries: the main one (no tfjs anywhere, types included) and `/tfjs` (the tensor variant).
export default packageConfig({ entry: { index: 'src/index.ts', tfjs: 'src/tfjs.ts' }, external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core'] });
