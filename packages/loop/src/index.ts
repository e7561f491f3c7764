export { arpoStep, type ArpoStepInput, type ArpoStepResult, type LoopPrompt } from './arpo-step.js';
export { ArpoLoop, type ArpoLoopOptions, type ArpoLoopState } from './arpo-loop.js';
