#!/usr/bin/env node
import { runArpoIndex } from './arpo-index-main.js';

runArpoIndex(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`arpo-index: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
