import { packageConfig } from '../../tools/tsup-config';

export default packageConfig({
  entry: { index: 'src/index.ts', 'arpo-index': 'src/cli/arpo-index.ts' },
  dts: { entry: { index: 'src/index.ts' } },
  external: ['better-sqlite3', 'minisearch'],
  // The Python bootstrap ships as a file next to the bundle; shims give the CJS build `import.meta.url` to find it.
  shims: true,
  onSuccess: 'cp src/python/bootstrap.py dist/bootstrap.py',
});
