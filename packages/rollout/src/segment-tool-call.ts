import { closingTag, endingToolTag, parseToolCall, type Generation, type ParsedToolCall } from '@arpo/core';

/**
 * The tool call a segment that ended on a stop string makes (spec §2.2 step 3): the tool whose closing tag the
 * response ends with (or whose tag is the stop string), and the text between its last `<tag>` and `</tag>`. Null
 * when no tool matches; an empty `input` means the trajectory stops silently (reference).
 *
 * @param responseText the decoded response so far, the segment included.
 */
export function segmentToolCall(responseText: string, gen: Pick<Generation, 'stopString'>, toolNames: readonly string[]): ParsedToolCall | null {
  const tool = endingToolTag(responseText, toolNames) ?? toolNames.find((name) => closingTag(name) === gen.stopString);
  return tool ? parseToolCall(responseText, [tool], 'training') : null;
}
