/** Prefix of vLLM's `return_tokens_as_token_ids` token strings, e.g. `token_id:151643`. */
export const TOKEN_ID_PREFIX = 'token_id:';

/** `token_id:123` → 123; any other string → undefined. */
export function parseTokenIdString(token: string): number | undefined {
  if (!token.startsWith(TOKEN_ID_PREFIX)) return undefined;
  const digits = token.slice(TOKEN_ID_PREFIX.length);
  return /^\d+$/.test(digits) ? Number(digits) : undefined;
}

/** 123 → `token_id:123` (the form this package's server writes when asked for token ids). */
export function formatTokenIdString(id: number): string {
  return `${TOKEN_ID_PREFIX}${id}`;
}
