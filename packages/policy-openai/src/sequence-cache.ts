import type { Generation, Policy } from '@arpo/core';

/**
 * Automatic prefix caching for a served policy: the server names every row it generates with a sequence id
 * and remembers the row's tokens (prefix + generated). A later prefix that starts with remembered tokens reuses
 * that sequence id, so a policy with per-sequence KV caches (`TfjsPolicy`) skips the shared part, as it does
 * in process where the rollout engine passes trajectory ids. Two rows of one batch that continue the same
 * sequence (ARPO branches) get the longest match: the first takes its id, the others a `fork` of it.
 * Least-recently-used sequences beyond `maxSequences` are `release`d.
 */
export class SequenceCache {
  /** id → tokens, in least- to most-recently-used order. */
  private readonly entries = new Map<string, readonly number[]>();
  private counter = 0;

  constructor(
    private readonly policy: Pick<Policy, 'fork' | 'release'>,
    /** Sequences remembered; 0 disables reuse (every row gets a fresh id). */
    readonly maxSequences: number,
  ) {}

  /** Number of remembered sequences. */
  get size(): number {
    return this.entries.size;
  }

  /** Sequence ids for a batch's rows, aligned with `prefixes` (forks parents claimed twice). */
  async assign(prefixes: readonly (readonly number[])[]): Promise<string[]> {
    const claimed = new Set<string>();
    const ids: string[] = [];
    for (const prefix of prefixes) {
      const match = this.maxSequences > 0 ? this.longestPrefixOf(prefix) : undefined;
      if (match === undefined) ids.push(this.newId());
      else if (!claimed.has(match)) {
        claimed.add(match);
        ids.push(match);
      } else if (this.policy.fork) {
        const id = this.newId();
        await this.policy.fork(match, id);
        ids.push(id);
      } else {
        ids.push(this.newId());
      }
    }
    return ids;
  }

  /** Remembers each row's tokens after generation and evicts the least recently used beyond the limit. */
  async commit(ids: readonly string[], prefixes: readonly (readonly number[])[], generations: readonly Generation[]): Promise<void> {
    if (this.maxSequences <= 0) {
      await this.releaseAll(ids);
      return;
    }
    ids.forEach((id, i) => {
      this.entries.delete(id);
      this.entries.set(id, [...prefixes[i]!, ...generations[i]!.tokens]);
    });
    const evict: string[] = [];
    for (const id of this.entries.keys()) {
      if (this.entries.size - evict.length <= this.maxSequences) break;
      evict.push(id);
    }
    for (const id of evict) this.entries.delete(id);
    await this.releaseAll(evict);
  }

  /** Forgets `ids` (e.g. after a failed generation) and releases them in the policy. */
  async discard(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.entries.delete(id);
    await this.releaseAll(ids);
  }

  /** Forgets and releases every sequence. */
  async clear(): Promise<void> {
    await this.discard([...this.entries.keys()]);
  }

  private longestPrefixOf(prefix: readonly number[]): string | undefined {
    let best: string | undefined;
    let bestLength = 0;
    for (const [id, tokens] of this.entries) {
      if (tokens.length <= bestLength || tokens.length > prefix.length) continue;
      let i = 0;
      while (i < tokens.length && tokens[i] === prefix[i]) i++;
      if (i === tokens.length) {
        best = id;
        bestLength = tokens.length;
      }
    }
    return best;
  }

  private newId(): string {
    return `seq-${++this.counter}`;
  }

  private async releaseAll(ids: readonly string[]): Promise<void> {
    if (!this.policy.release) return;
    for (const id of ids) await this.policy.release(id);
  }
}
