import type { Tokenizer } from '@arpo/core';

/** The pieces of {@link ToyToolTokenizer}: ids 0 pad, 1 EOS, 2 unknown, then tool tags and query words. */
export const TOY_TOOL_PIECES: readonly string[] = [
  '<pad>', '</s>', '<unk>',
  '<think>', '</think>', '<search>', '</search>', '<python>', '</python>', '<result>', '</result>', '<answer>', '</answer>',
  ' capital', ' of', ' Australia', ' France', ' Canberra', ' Paris', ' 6*7', ' 2**10', ' print(1)', '\\boxed{', '}',
  ' ', '\n', 'Page', '1', '2', ':', '.', 'Error',
];

/**
 * A toy tokenizer whose vocabulary is mostly tool tags and query words, so that a RANDOM tiny model calls real tools
 * often (with a 512-token vocabulary it would almost never emit `<search>` … `</search>`). Greedy longest match
 * over the pieces; any other character is `<unk>`. For benches and integration tests, not for training.
 */
export class ToyToolTokenizer implements Tokenizer {
  readonly specificationVersion = 'v1' as const;
  readonly vocabSize = TOY_TOOL_PIECES.length;
  readonly padTokenId = 0;
  readonly eosTokenId = 1;

  encode(text: string): number[] {
    const ids: number[] = [];
    let i = 0;
    while (i < text.length) {
      let best = -1;
      for (let id = 3; id < TOY_TOOL_PIECES.length; id++) {
        const p = TOY_TOOL_PIECES[id]!;
        if (text.startsWith(p, i) && (best < 0 || p.length > TOY_TOOL_PIECES[best]!.length)) best = id;
      }
      if (best < 0) {
        ids.push(2);
        i += 1;
      } else {
        ids.push(best);
        i += TOY_TOOL_PIECES[best]!.length;
      }
    }
    return ids;
  }

  decode(ids: readonly number[], options: { skipSpecialTokens?: boolean } = {}): string {
    return ids.map((id) => (id < 2 && options.skipSpecialTokens ? '' : (TOY_TOOL_PIECES[id] ?? '<unk>'))).join('');
  }
}
