/**
 * The last `\boxed{…}` (or `\fbox{…}`) of `text`, brace-matched, with the wrapper stripped; null when there is
 * none or it is unclosed. Follows the reference `last_boxed_only_string` + `remove_boxed`:
 * - if `\boxed ` (with a space) occurs anywhere, the result is the text after its LAST occurrence up to the
 *   next `$` (the space form wins over any brace form);
 * - otherwise the last `\boxed` (else the last `\fbox`) is brace-matched from its first `{`, and the match must
 *   start with `\boxed{` / `\fbox{` (so `\boxed\n{x}` gives null).
 *
 * The reference `remove_boxed` rejects `\fbox{…}`; here its inner text is returned. In the reward this cannot
 * matter: the format check already requires `\boxed{` in the answer, and `\boxed` is preferred.
 */
export function lastBoxedContent(text: string): string | null {
  const spaced = '\\boxed ';
  if (text.includes(spaced)) {
    const tail = text.slice(text.lastIndexOf(spaced) + spaced.length);
    const dollar = tail.indexOf('$');
    return dollar === -1 ? tail : tail.slice(0, dollar);
  }
  let start = text.lastIndexOf('\\boxed');
  if (start === -1) start = text.lastIndexOf('\\fbox');
  if (start === -1) return null;

  let depth = 0;
  for (let i = start; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === '{') depth += 1;
    else if (ch === '}') {
      depth -= 1;
      if (depth === 0) return stripWrapper(text.slice(start, i + 1));
    }
  }
  return null;
}

function stripWrapper(boxed: string): string | null {
  for (const left of ['\\boxed{', '\\fbox{']) {
    if (boxed.startsWith(left)) return boxed.slice(left.length, -1);
  }
  return null;
}
