import { packageConfig } from '../../tools/tsup-config';

// tfjs is an optional peer: only types are imported from it, but keep it out of the bundle regardless.
export default packageConfig({ external: ['@tensorflow/tfjs', '@tensorflow/tfjs-core'] });
