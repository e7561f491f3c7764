import { defineConfig } from 'vitest/config';

// Training, rollouts and headless Chromium on 2 shared cores: allow far more than vitest's 5 s default.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 120_000 } });
