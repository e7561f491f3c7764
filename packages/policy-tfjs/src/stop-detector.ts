import type { Tokenizer } from '@arpo/core';

/**
 * Finds stop strings in a growing list of generated tokens by decoding only a trailing window: after each
 * new token it decodes the window with and without that token and looks for a stop string that ends in
 * the newly produced text. The window (4 tokens per character of the longest stop string, plus 8) covers
 * byte-fallback tokens that carry less than one character each.
 */
export class StopDetector {
  private readonly window: number;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly stops: readonly string[],
  ) {
    const longest = stops.reduce((a, s) => Math.max(a, s.length), 0);
    this.window = 4 * longest + 8;
  }

  /** The stop string completed by the last token of `generated`, if any (earliest-ending, then list order). */
  check(generated: readonly number[]): string | undefined {
    if (this.stops.length === 0 || generated.length === 0) return undefined;
    const start = Math.max(0, generated.length - this.window);
    const cur = this.tokenizer.decode(generated.slice(start));
    const prev = generated.length - 1 > start ? this.tokenizer.decode(generated.slice(start, -1)) : '';
    let common = 0;
    while (common < prev.length && common < cur.length && prev.charCodeAt(common) === cur.charCodeAt(common)) common++;
    let best: string | undefined;
    let bestEnd = Infinity;
    for (const stop of this.stops) {
      if (stop.length === 0) continue;
      const at = cur.indexOf(stop, Math.max(0, common - stop.length + 1));
      if (at >= 0 && at + stop.length < bestEnd) {
        best = stop;
        bestEnd = at + stop.length;
      }
    }
    return best;
  }
}
