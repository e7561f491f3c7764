import { packageConfig } from '../../tools/tsup-config';

export default packageConfig({
  entry: { index: 'src/index.ts', 'arpo-index': 'src/cli/arpo-index.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  external: ['better-sqlite3', 'minisearch'],
});
