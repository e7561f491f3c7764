/**
 * Test support only (not exported from the package, not in dist): builds valid `RolloutGroup`s shaped as
 * trees, the way the rollout engine makes them (a branch copies its parent's arrays up to `branchPoint`, then
 * appends its own segments), and random seeded trees for property tests.
 */
import { RolloutGroupSchema, type Rng, type RolloutGroup, type Segment, type Trajectory } from '@arpo/core';

/** One own segment: `['m', n]` n model tokens, `['t', n]` n tool-result tokens, `['eos']` the injected call-limit EOS. */
export type Part = readonly ['m', number] | readonly ['t', number] | readonly ['eos'];

/** One trajectory of a tree: a root (no `parent`) or a branch of an earlier one at response offset `at`. */
export interface NodeSpec {
  id: string;
  parent?: string;
  at?: number;
  parts: readonly Part[];
}

/**
 * Builds a group from node specs in creation order. Own tokens (EOS included) are unique per trajectory (1000·(i+1) + k),
 * so identical prefixes happen exactly where the tree says tokens are shared. Checked with RolloutGroupSchema.
 */
export function buildGroup(specs: readonly NodeSpec[], rewards?: readonly number[], promptId = 'p0'): RolloutGroup {
  const built = new Map<string, Trajectory>();
  const trajectories = specs.map((spec, i) => {
    let tokens: number[] = [];
    let mask: (0 | 1)[] = [];
    let segments: Segment[] = [];
    let branchPoint: number | null = null;
    if (spec.parent !== undefined) {
      const parent = built.get(spec.parent);
      if (!parent) throw new Error(`fixture: unknown parent ${spec.parent}`);
      const at = spec.at ?? parent.responseTokens.length;
      branchPoint = at;
      tokens = parent.responseTokens.slice(0, at);
      mask = parent.lossMask.slice(0, at);
      segments = parent.segments.filter((s) => s.start < at).map((s) => ({ ...s, end: Math.min(s.end, at) }));
    }
    let next = 1000 * (i + 1);
    const ownTokenCount = (n: number) => Array.from({ length: n }, () => next++);
    for (const part of spec.parts) {
      const start = tokens.length;
      if (part[0] === 'm') {
        tokens.push(...ownTokenCount(part[1]));
        mask.push(...Array<1>(part[1]).fill(1));
        segments.push({ kind: 'model', start, end: tokens.length, finishReason: 'stop', stopString: '</search>' });
      } else if (part[0] === 't') {
        tokens.push(...ownTokenCount(part[1]));
        mask.push(...Array<0>(part[1]).fill(0));
        segments.push({
          kind: 'tool-result',
          start,
          end: tokens.length,
          call: { tool: 'search', input: 'q', output: 'r', status: 'ok', durationMs: 1, attempts: 1, cached: false },
        });
      } else {
        // A real EOS id repeats across trajectories; here it is unique too, so that identical prefixes stay
        // identical-by-descent (two siblings both ending at once would otherwise merge in a prefix trie).
        tokens.push(next++);
        mask.push(1);
        segments.push({ kind: 'injected', start, end: tokens.length, reason: 'call-limit-eos' });
      }
    }
    const t: Trajectory = {
      id: spec.id,
      promptId,
      promptTokens: [1, 7, 7],
      responseTokens: tokens,
      lossMask: mask,
      segments,
      parentId: spec.parent ?? null,
      branchPoint,
      origin: spec.parent === undefined ? (i === 0 ? 'global' : 'refill') : 'branch',
      toolCalls: segments.filter((s) => s.kind === 'tool-result').length,
      finishReason: 'eos',
    };
    built.set(spec.id, t);
    return t;
  });
  return RolloutGroupSchema.parse({ promptId, promptTokens: [1, 7, 7], trajectories, ...(rewards ? { rewards } : {}) });
}

/** A random tree of 1..maxSize trajectories: roots (global / refill) and branches at random offsets. */
export function randomTree(rng: Rng, maxSize = 8): { specs: NodeSpec[]; rewards: number[] } {
  const size = 1 + rng.int(maxSize);
  const specs: NodeSpec[] = [];
  const lengths: number[] = [];
  const binary = rng.next() < 0.5;
  for (let i = 0; i < size; i++) {
    const isRoot = i === 0 || rng.next() < 0.2;
    const parts: Part[] = [];
    const partCount = isRoot ? 1 + rng.int(4) : rng.int(4);
    for (let k = 0; k < partCount; k++) {
      const u = rng.next();
      parts.push(u < 0.55 ? ['m', 1 + rng.int(4)] : u < 0.9 ? ['t', 1 + rng.int(3)] : ['eos']);
    }
    const own = parts.reduce((n, p) => n + (p[0] === 'eos' ? 1 : p[1]), 0);
    if (isRoot) {
      specs.push({ id: `t${i}`, parts });
      lengths.push(own);
    } else {
      const parent = rng.int(i);
      const at = rng.int(lengths[parent]! + 1);
      specs.push({ id: `t${i}`, parent: `t${parent}`, at, parts });
      lengths.push(at + own);
    }
  }
  const rewards = specs.map(() => (binary ? rng.int(2) : Math.round((rng.next() * 2 - 1) * 1000) / 1000));
  return { specs, rewards };
}
