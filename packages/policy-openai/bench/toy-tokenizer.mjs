// A toy tokenizer whose vocabulary is mostly tool tags and query words, so that a RANDOM tiny model calls the
// real tools often (with a 512-token vocabulary it would almost never emit `<search>` … `</search>`).
// Greedy longest match over the pieces; any other character is `<unk>`. A copy of @arpo/rollout's
// bench/toy-tokenizer.mjs (test fixtures are not published), used by this package's bench and tests; not a
// tokenizer for training.
const PIECES = [
  '<pad>', '</s>', '<unk>',
  '<think>', '</think>', '<search>', '</search>', '<python>', '</python>', '<result>', '</result>', '<answer>', '</answer>',
  ' capital', ' of', ' Australia', ' France', ' Canberra', ' Paris', ' 6*7', ' 2**10', ' print(1)', '\\boxed{', '}',
  ' ', '\n', 'Page', '1', '2', ':', '.', 'Error',
];

export class ToyToolTokenizer {
  specificationVersion = 'v1';
  vocabSize = PIECES.length;
  padTokenId = 0;
  eosTokenId = 1;
  encode(text) {
    const ids = [];
    let i = 0;
    while (i < text.length) {
      let best = -1;
      for (let id = 3; id < PIECES.length; id++) {
        const p = PIECES[id];
        if (text.startsWith(p, i) && (best < 0 || p.length > PIECES[best].length)) best = id;
      }
      if (best < 0) {
        ids.push(2);
        i += 1;
      } else {
        ids.push(best);
        i += PIECES[best].length;
      }
    }
    return ids;
  }
  decode(ids, options = {}) {
    return ids.map((id) => (id < 2 && options.skipSpecialTokens ? '' : (PIECES[id] ?? '<unk>'))).join('');
  }
}
