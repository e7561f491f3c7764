import { packageConfig } from '../../tools/tsup-config';

export default packageConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  external: ['better-sqlite3', 'playwright-core'],
});
