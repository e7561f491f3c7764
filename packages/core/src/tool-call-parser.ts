/**
 * Which tool call the model made, read from its output (spec §6.1).
 * - `training` (the reference's rollout): the tool whose closing tag comes last, and the text between
 *   the LAST `<tag>` before it and that LAST `</tag>`.
 * - `evaluation` (the reference's evaluation loop): the FIRST opening tag of any tool and the first
 *   `</tag>` after it.
 */
export type ToolCallSemantics = 'training' | 'evaluation';

/** A tool call found in model output. */
export interface ParsedToolCall {
  /** The tool's tag, e.g. `search`. */
  tool: string;
  /** The body between the tags, trimmed. Empty means the trajectory stops (reference). */
  input: string;
  /** Offset of the opening tag in the text. */
  start: number;
  /** Offset one past the closing tag. */
  end: number;
}

/**
 * Finds the tool call in `text`, or null when no registered tool is called (no closing tag, or a
 * closing tag without an opening one).
 */
export function parseToolCall(
  text: string,
  toolNames: readonly string[],
  semantics: ToolCallSemantics = 'training',
): ParsedToolCall | null {
  return semantics === 'training' ? parseLast(text, toolNames) : parseFirst(text, toolNames);
}

function parseLast(text: string, toolNames: readonly string[]): ParsedToolCall | null {
  let best: { tool: string; close: number } | null = null;
  for (const tool of toolNames) {
    const close = text.lastIndexOf(closingTag(tool));
    if (close >= 0 && (best === null || close > best.close)) best = { tool, close };
  }
  if (best === null) return null;
  const open = openingTag(best.tool);
  const openAt = best.close >= open.length ? text.lastIndexOf(open, best.close - open.length) : -1;
  if (openAt < 0) return null;
  const end = best.close + closingTag(best.tool).length;
  return { tool: best.tool, input: text.slice(openAt + open.length, best.close).trim(), start: openAt, end };
}

function parseFirst(text: string, toolNames: readonly string[]): ParsedToolCall | null {
  let best: { tool: string; open: number } | null = null;
  for (const tool of toolNames) {
    const open = text.indexOf(openingTag(tool));
    if (open >= 0 && (best === null || open < best.open)) best = { tool, open };
  }
  if (best === null) return null;
  const bodyStart = best.open + openingTag(best.tool).length;
  const close = text.indexOf(closingTag(best.tool), bodyStart);
  if (close < 0) return null;
  return {
    tool: best.tool,
    input: text.slice(bodyStart, close).trim(),
    start: best.open,
    end: close + closingTag(best.tool).length,
  };
}

/** `<name>` */
export function openingTag(tool: string): string {
  return `<${tool}>`;
}

/** `</name>` */
export function closingTag(tool: string): string {
  return `</${tool}>`;
}

/** The stop strings a policy must stop at: one closing tag per registered tool (reference: `</python>`, `</search>`). */
export function toolStopStrings(toolNames: readonly string[]): string[] {
  return toolNames.map(closingTag);
}

/** The tool whose closing tag `text` ends with (after trailing whitespace), if any. */
export function endingToolTag(text: string, toolNames: readonly string[]): string | null {
  const trimmed = text.trimEnd();
  for (const tool of toolNames) if (trimmed.endsWith(closingTag(tool))) return tool;
  return null;
}
