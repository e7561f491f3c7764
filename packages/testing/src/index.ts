// Test doubles.
export { CharTokenizer } from './char-tokenizer.js';
export { ToyToolTokenizer, TOY_TOOL_PIECES } from './toy-tool-tokenizer.js';
export { ScriptedPolicy, type Script, type ScriptedSegment } from './scripted-policy.js';
export { echoTool, EchoToolExecutor } from './fake-tools.js';
export { tinyModelConfig, tinyTfjsPolicy, type TfjsPolicyFactory } from './tiny-tfjs-policy.js';
// Conformance suites.
export { ConformanceError, type ConformanceCheck } from './conformance/conformance-check.js';
export { policyConformance, trainablePolicyConformance, type PolicyConformanceOptions } from './conformance/policy-conformance.js';
export { toolConformance, toolExecutorConformance, type ToolConformanceOptions } from './conformance/tool-conformance.js';
