import { createRng } from '@arpo/core';

/**
 * The `seed` sent for row `row` of a `generate` call seeded `batchSeed`: distinct per row, so that servers
 * that seed each request on its own (vLLM, SGLang) give N different samples for N equal prefixes, and the
 * same for the same call. A uint32.
 */
export function rowSeed(batchSeed: number, row: number): number {
  return createRng(`${batchSeed >>> 0}/row:${row}`).nextUint32();
}
