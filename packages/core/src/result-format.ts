/**
 * How a tool result is written back into the trajectory (spec §2.2 step 4, §6.4).
 * - `training`: `" <result>\n{text}\n</result>"` — a leading space and newlines, exactly as the reference rollout.
 * - `evaluation`: `"<result>{text}</result>"` — no spaces or newlines, as the reference evaluation loop.
 */
export type ResultFormat = 'training' | 'evaluation';

export function formatToolResult(text: string, format: ResultFormat = 'training'): string {
  return format === 'training' ? ` <result>\n${text}\n</result>` : `<result>${text}</result>`;
}

/** Reference failure text when a tool gives no output after its retries. */
export function emptyOutputText(tool: string): string {
  return `Tool(${tool}) returned empty output.`;
}

/** Reference failure text when a tool call raised. */
export function executionFailedText(tool: string, message: string): string {
  return `Error: Tool(${tool}) execution failed with message: ${message}`;
}

/**
 * Cuts a tool output to at most `maxChars` UTF-16 code units, never splitting a surrogate pair, and says
 * how much was dropped. Tool outputs can be arbitrarily large (a program printing 1 MB).
 */
export function truncateToolOutput(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  let cut = maxChars;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // keep a surrogate pair whole
  const dropped = text.length - cut;
  return { text: `${text.slice(0, cut)}\n[... ${dropped} more characters truncated]`, truncated: true };
}
