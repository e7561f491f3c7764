import type { Generation, GenerateRequest, Policy } from '@arpo/core';
import { CharTokenizer } from './char-tokenizer.js';

/** What the scripted model "generates" next for a sequence. */
export interface ScriptedSegment {
  text: string;
  /** How the segment ends: EOS appended, a stop string (the text must end with it), or length. */
  finish: 'eos' | 'stop' | 'length';
  /** Entropy of each position (default 1); only the first k matter. */
  entropies?: number[];
}

/** Decides the next segment from the decoded response so far (the prompt is excluded). */
export type Script = (response: string, context: { sequenceId: string; prompt: string; call: number }) => ScriptedSegment;

/**
 * A test double of `Policy` that emits programmed segments and entropies (for exact rollout semantics).
 * It records every call so tests can assert what the engine asked for.
 */
export class ScriptedPolicy implements Policy {
  readonly specificationVersion = 'v1' as const;
  readonly modelId = 'scripted';
  readonly tokenizer = new CharTokenizer();
  readonly requests: GenerateRequest[] = [];
  readonly forks: [string, string][] = [];
  readonly released: string[] = [];
  private calls = 0;

  constructor(
    private readonly script: Script,
    private readonly promptLength: (sequenceId: string) => number,
  ) {}

  async generate(request: GenerateRequest): Promise<Generation[]> {
    this.requests.push(request);
    const call = this.calls++;
    return request.prefixes.map((prefix, i) => {
      const id = request.sequenceIds?.[i] ?? String(i);
      const cut = this.promptLength(id);
      const text = this.tokenizer.decode(prefix.slice(cut));
      const scripted = this.script(text, { sequenceId: id, prompt: this.tokenizer.decode(prefix.slice(0, cut)), call });
      const seg = cutAtStop(scripted, request.stop ?? []);
      let tokens = this.tokenizer.encode(seg.text);
      if (seg.finish === 'eos') tokens.push(this.tokenizer.eosTokenId);
      const cap = typeof request.maxNewTokens === 'number' ? request.maxNewTokens : request.maxNewTokens[i]!;
      let finishReason: Generation['finishReason'] = seg.finish;
      if (tokens.length > cap) {
        tokens = tokens.slice(0, cap);
        finishReason = 'length';
      }
      const entropies = tokens.map((_, j) => seg.entropies?.[j] ?? 1);
      return {
        tokens,
        logprobs: tokens.map(() => -0.5),
        entropies,
        // Two candidates whose truncated entropy −Σ exp(lp)·lp equals the programmed entropy is not needed:
        // tests that use top-k pass explicit logprobs through `entropies` being ignored.
        topLogprobs: request.topLogprobs ? tokens.map((t) => [{ token: t, logprob: -0.5 }]) : undefined,
        finishReason,
        ...(finishReason === 'stop' ? { stopString: request.stop?.find((s) => s !== '' && seg.text.endsWith(s)) } : {}),
      };
    });
  }

  fork(parentId: string, childId: string): void {
    this.forks.push([parentId, childId]);
  }

  release(sequenceId: string): void {
    this.released.push(sequenceId);
  }
}

/** A request's stop strings end the scripted text at their first occurrence (included), as a real policy does. */
function cutAtStop(seg: ScriptedSegment, stop: readonly string[]): ScriptedSegment {
  let end = -1;
  for (const s of stop) {
    const at = s === '' ? -1 : seg.text.indexOf(s);
    if (at >= 0 && (end < 0 || at + s.length < end)) end = at + s.length;
  }
  if (end < 0 || (end === seg.text.length && seg.finish === 'stop')) return seg;
  return { ...seg, text: seg.text.slice(0, end), finish: 'stop' };
}
