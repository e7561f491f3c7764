/**
 * Hendrycks-MATH `strip_string` (the `is_equiv` normaliser of the reference evaluation, spec §7.4), extended a
 * little. In order: drop newlines and `\!`; `\\` → `\`; `\tfrac` / `\dfrac` → `\frac`; drop `\left`, `\right`,
 * `^{\circ}`, `^\circ`, `\$` and `$`; unwrap a whole-answer `\text{X}` or drop trailing `\text{…}` / `\mbox{…}`
 * units; drop `\%` and `%`; `.5` → `0.5`; a leading `x =` (one `=`, left side ≤ 2 characters) is removed;
 * `\sqrt3` → `\sqrt{3}`; spaces removed; `\frac12` → `\frac{1}{2}`; `0.5` → `\frac{1}{2}`; `a/b` (integers)
 * → `\frac{a}{b}`. Extensions over the original: plain `$`, plain `%`, `\mbox`, any trailing `\text{…}`.
 */
export function normalizeMathAnswer(answer: string): string {
  let s = answer.replaceAll('\n', '').replaceAll('\\!', '').replaceAll('\\\\', '\\');
  s = s.replaceAll('tfrac', 'frac').replaceAll('dfrac', 'frac');
  s = s.replaceAll('\\left', '').replaceAll('\\right', '');
  s = s.replaceAll('^{\\circ}', '').replaceAll('^\\circ', '');
  s = s.replaceAll('\\$', '').replaceAll('$', '');
  s = removeTextUnits(s);
  s = s.replaceAll('\\%', '').replaceAll('%', '');
  s = s.replaceAll(' .', ' 0.').replaceAll('{.', '{0.');
  if (s === '') return s;
  if (s.startsWith('.')) s = `0${s}`;
  const sides = s.split('=');
  if (sides.length === 2 && sides[0]!.length <= 2) s = sides[1]!;
  s = fixSqrt(s).replaceAll(' ', '');
  s = fixFracs(s);
  if (s === '0.5') s = '\\frac{1}{2}';
  return fixSlash(s);
}

const WHOLE_TEXT = /^\s*\\(?:text|mbox)\{([^{}]*)\}\s*$/;
const TRAILING_TEXT = /\s*\\(?:text|mbox)\{[^{}]*\}(?:\^\{?\d\}?)?\s*$/;

/** `\text{Monday}` → `Monday`; `10\text{ cm}` → `10` (repeated while a unit trails something else). */
function removeTextUnits(s: string): string {
  const whole = WHOLE_TEXT.exec(s);
  if (whole) return whole[1]!;
  let out = s;
  for (;;) {
    const m = TRAILING_TEXT.exec(out);
    if (!m || m.index === 0) return out;
    out = out.slice(0, m.index);
  }
}

/** `\sqrt3` → `\sqrt{3}` (one character); `\sqrt{…}` and `\sqrt[n]{…}` are left alone. */
function fixSqrt(s: string): string {
  const parts = s.split('\\sqrt');
  return parts
    .map((part, i) => {
      if (i === 0) return part;
      const first = part[0];
      if (first === undefined || first === '{' || first === '[') return `\\sqrt${part}`;
      return `\\sqrt{${first}}${part.slice(1)}`;
    })
    .join('');
}

/** `\frac12` → `\frac{1}{2}`, `\frac1{2}` → `\frac{1}{2}`; returns the input unchanged when a `\frac` has < 2 characters after it. */
function fixFracs(s: string): string {
  const parts = s.split('\\frac');
  let out = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    out += '\\frac';
    if (part.startsWith('{')) {
      out += part;
      continue;
    }
    const a = part[0];
    const b = part[1];
    if (a === undefined || b === undefined) return s;
    out += b === '{' ? `{${a}}${part.slice(1)}` : `{${a}}{${b}}${part.slice(2)}`;
  }
  return out;
}

/** `3/4` → `\frac{3}{4}` when both sides are canonical integers (Python `str(int(x)) == x`). */
function fixSlash(s: string): string {
  const parts = s.split('/');
  if (parts.length !== 2) return s;
  const [a, b] = parts as [string, string];
  return isCanonicalInt(a) && isCanonicalInt(b) ? `\\frac{${a}}{${b}}` : s;
}

function isCanonicalInt(x: string): boolean {
  return /^-?\d+$/.test(x) && BigInt(x).toString() === x;
}
