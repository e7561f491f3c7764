/** One gold or several, as datasets give them. */
export type Golds = string | readonly string[];

/** The gold answers as a list. */
export function goldList(golds: Golds): readonly string[] {
  return typeof golds === 'string' ? [golds] : golds;
}
