import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup setup every publishable package uses: ESM + CJS + .d.ts from src/index.ts. With
 * `ARPO_BUILD_JS_ONLY=1` (what `npm run demo` builds with) the .d.ts step is skipped: running the CLI needs none,
 * and nx keeps those builds apart in its cache (the variable is a build input in nx.json).
 */
export function packageConfig(overrides: Options = {}) {
  const jsOnly = process.env['ARPO_BUILD_JS_ONLY'] === '1';
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    treeshake: true,
    ...overrides,
    ...(jsOnly ? { dts: false } : {}),
  });
}
