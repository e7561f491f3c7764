import { defineConfig } from 'vitest/config';

// Loads and runs the real checkpoint on 2 shared cores: allow more than vitest's 5 s default.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
