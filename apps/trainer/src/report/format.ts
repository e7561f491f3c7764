/*
 * How the report formats numbers. Tests compare rendered text against these functions, so every number shown in
 * the report goes through one of them. Missing values (null, undefined, NaN, ±Infinity) render as an em dash.
 */

/** The text shown for a missing value. */
export const MISSING = '—';

function usable(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A share in [0, 1] as a percentage with one decimal: `0.625` → `62.5%`. */
export function formatPercent(x: number | null | undefined): string {
  return usable(x) ? `${(x * 100).toFixed(1)}%` : MISSING;
}

/** A difference of two shares in percentage points, signed: `0.12` → `+12.0 pp`. */
export function formatPointsDelta(x: number | null | undefined): string {
  if (!usable(x)) return MISSING;
  const v = x * 100;
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)} pp`;
}

/** A real number with a fixed number of decimals (default 3): `0.51234` → `0.512`. */
export function formatNumber(x: number | null | undefined, digits = 3): string {
  return usable(x) ? x.toFixed(digits) : MISSING;
}

/** A signed real number (ΔH): `0.2` → `+0.200`, `-0.2` → `−0.200`. */
export function formatSigned(x: number | null | undefined, digits = 3): string {
  if (!usable(x)) return MISSING;
  return `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
}

/** A count with thousands separators: `12345` → `12,345` (fractional counts keep up to two decimals). */
export function formatCount(x: number | null | undefined): string {
  if (!usable(x)) return MISSING;
  return x.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** A duration: `12300` → `12.3 s`, `245000` → `4 m 05 s`, `3720000` → `1 h 02 m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (!usable(ms)) return MISSING;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const totalSeconds = Math.round(s);
  if (totalSeconds < 3600) {
    return `${Math.floor(totalSeconds / 60)} m ${String(totalSeconds % 60).padStart(2, '0')} s`;
  }
  const totalMinutes = Math.round(s / 60);
  return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} m`;
}
