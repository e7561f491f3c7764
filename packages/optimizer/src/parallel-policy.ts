import { ArpoError, type GenerateRequest, type Generation, type Policy } from '@arpo/core';
import type { ReplicaPool } from './replica-pool.js';
import { isRowSplitPolicy, type RowSplitPolicy } from './replicable-policy.js';

/**
 * A `Policy` that spreads the rows of every `generate` call over this thread and the workers of `pool` and gives
 * the tokens `policy.generate` would (rows sample from per-row streams keyed by their index in the
 * request, and each part keeps its rows' indices; log-probs agree to float32 rounding, as a lane's batch is padded
 * differently). A sequence stays on the lane that first generated it, so its KV
 * cache is reused; a fork goes to its parent's lane; new sequences go to the lane with the fewest rows in the call.
 * The workers' requests are posted before this thread computes its own part.
 */
export function createParallelPolicy(policy: RowSplitPolicy, pool: ReplicaPool): Policy {
  if (!isRowSplitPolicy(policy)) {
    throw new ArpoError(`createParallelPolicy: ${(policy as Policy).modelId} does not sample by row index (samplesByRowIndex), so a split request would give other tokens`);
  }
  const lanes = pool.threads + 1;
  const owner = new Map<string, number>();

  const generate = async (request: GenerateRequest): Promise<Generation[]> => {
    const n = request.prefixes.length;
    const ids = request.sequenceIds;
    const lane = new Array<number>(n);
    const load = new Array<number>(lanes).fill(0);
    if (ids) {
      ids.forEach((id, r) => {
        const known = owner.get(id);
        if (known !== undefined) {
          lane[r] = known;
          load[known]! += 1;
        }
      });
    }
    for (let r = 0; r < n; r++) {
      if (lane[r] !== undefined) continue;
      const least = load.indexOf(Math.min(...load));
      lane[r] = least;
      load[least]! += 1;
      if (ids) owner.set(ids[r]!, least);
    }
    const parts = Array.from({ length: lanes }, (_, k) => lane.flatMap((l, r) => (l === k ? [r] : [])));
    const sub = (rows: number[]): GenerateRequest => {
      const out: GenerateRequest = { ...request, prefixes: rows.map((r) => request.prefixes[r]!) };
      if (ids) out.sequenceIds = rows.map((r) => ids[r]!);
      if (typeof request.maxNewTokens !== 'number') out.maxNewTokens = rows.map((r) => (request.maxNewTokens as readonly number[])[r]!);
      return out;
    };
    // Workers first (posted at once), then this thread's part.
    const asked = parts.map((rows, k) => (k === 0 || rows.length === 0 ? undefined : pool.generateOn(k, sub(rows), rows)));
    asked.forEach((p) => p?.catch(() => undefined));
    const mine = parts[0]!.length > 0 ? await policy.generate(sub(parts[0]!), { rowIndices: parts[0]! }) : [];
    const out = new Array<Generation>(n);
    parts[0]!.forEach((r, j) => (out[r] = mine[j]!));
    for (let k = 1; k < lanes; k++) {
      if (!asked[k]) continue;
      const gens = await asked[k]!;
      parts[k]!.forEach((r, j) => (out[r] = gens[j]!));
    }
    return out;
  };

  const laneOf = (id: string): number => owner.get(id) ?? 0;
  const parallel: Policy = {
    specificationVersion: 'v1',
    modelId: policy.modelId,
    tokenizer: policy.tokenizer,
    generate,
    fork: async (parentId: string, childId: string): Promise<void> => {
      const k = laneOf(parentId);
      owner.set(childId, k);
      if (k === 0) await policy.fork?.(parentId, childId);
      else await pool.lanePolicy(k).fork!(parentId, childId);
    },
    release: async (sequenceId: string): Promise<void> => {
      const k = laneOf(sequenceId);
      owner.delete(sequenceId);
      if (k === 0) await policy.release?.(sequenceId);
      else await pool.lanePolicy(k).release!(sequenceId);
    },
  };
  return policy.contextLength === undefined ? parallel : { ...parallel, contextLength: policy.contextLength };
}
