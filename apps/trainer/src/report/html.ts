/*
 * HTML building blocks. Everything that comes from a run folder (model output, tool results, names, config) is
 * untrusted and goes through `escapeHtml` before it reaches the page.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and quoted attribute values. NUL and other C0 control characters
 * (except tab, newline, carriage return) become U+FFFD so the page stays well-formed.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\uFFFD');
}

/** An attribute value that is absent, or anything `String()` can render. */
export type AttrValue = string | number | boolean | null | undefined;

/**
 * Renders attributes: `attrs({ 'data-x': 1, hidden: true, title: null })` → ` data-x="1" hidden`.
 * `null`, `undefined` and `false` are left out; `true` renders the bare attribute. Values are escaped.
 */
export function attrs(values: Record<string, AttrValue>): string {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (value === null || value === undefined || value === false) continue;
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(value)}"`;
  }
  return out;
}

/** A number for a `data-*` attribute: the exact value, or `""` when missing (so tests can tell the difference). */
export function dataNumber(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? String(x) : '';
}

/** The first `max` characters of a text on one line, with an ellipsis when cut. */
export function preview(text: string, max = 90): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}
