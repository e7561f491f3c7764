#!/usr/bin/env node
import { ArpoConfigError } from '@arpo/core';
import { commandLineMain } from './run-cli.js';

commandLineMain(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof ArpoConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = e instanceof ArpoConfigError ? 2 : 1;
  },
);
