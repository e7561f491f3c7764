// What the optimizer's benchmark scripts share: their flags and the load average they print.
import { loadavg } from 'node:os';

/** The value after `--name` on the command line, else `def`. */
export const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};

/** The 1, 5 and 15 minute load averages (2 decimals), for the results files. */
export const loadAverages = () => loadavg().map((x) => +x.toFixed(2));

/** The same, as printed. */
export const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
