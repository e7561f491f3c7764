// Public surface of the tag protocol (re-exported from src/index.ts).
export {
  closingTag,
  endingToolTag,
  openingTag,
  parseToolCall,
  toolStopStrings,
  type ParsedToolCall,
  type ToolCallSemantics,
} from './tool-call-parser.js';
export {
  emptyOutputText,
  executionFailedText,
  formatToolResult,
  truncateToolOutput,
  type ResultFormat,
} from './result-format.js';
