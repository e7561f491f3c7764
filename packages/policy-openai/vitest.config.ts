import { defineConfig } from 'vitest/config';

// Integration tests run a tfjs model behind real sockets, child server processes and the Python sandbox on
// 2 shared cores: allow more than vitest's 5 s default.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } });
