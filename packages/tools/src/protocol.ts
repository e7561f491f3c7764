// The tag protocol lives in @arpo/core (the rollout engine needs it without depending on the tools); re-exported
// here so tool users find it beside the tools.
export {
  closingTag,
  emptyOutputText,
  endingToolTag,
  executionFailedText,
  formatToolResult,
  openingTag,
  parseToolCall,
  toolStopStrings,
  truncateToolOutput,
  type ParsedToolCall,
  type ResultFormat,
  type ToolCallSemantics,
} from '@arpo/core';
