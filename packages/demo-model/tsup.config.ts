import { packageConfig } from '../../tools/tsup-config';

// shims: `import.meta.url` in the CJS build, so both builds find ../model.
export default packageConfig({ shims: true });
