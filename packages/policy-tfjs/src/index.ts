export { TfjsPolicy, type CreatePolicyOptions, type LoadPolicyOptions, type TfjsPolicyOptions } from './tfjs-policy.js';
export { createTfjsReplica, type ReplicaTokenizer, type TfjsReplicaOptions } from './replica.js';
export {
  ModelConfigSchema,
  STANDARD_CONFIGS,
  modelDims,
  parseModelConfig,
  type ModelConfig,
  type ModelConfigInput,
  type ModelDims,
} from './model-config.js';
export { selectBackend, type BackendChoice, type BackendSelection, type SelectBackendOptions } from './backend.js';
export { gatherRows } from './gather-rows.js';
export { rmsNorm } from './rms-norm.js';
export { RotaryEmbedding } from './rope.js';
export { Decoder } from './decoder.js';
export { parameterSpecs, type ParameterSpec, type DecoderWeights, type LayerWeights } from './decoder-weights.js';
export { scoreSequences, type ScoreOptions } from './score-tokens.js';
export { sampleLogits, topIndices, type SampledToken } from './sampler.js';
export { StopDetector } from './stop-detector.js';
export { type GenerateStats } from './generate.js';
export {
  CHECKPOINT_FILES,
  exportHfTensors,
  importHfTensors,
  loadCheckpoint,
  saveCheckpoint,
  type CheckpointParts,
  type LoadedCheckpoint,
} from './checkpoint.js';
export { parseSafetensors, serializeSafetensors, toFloat32, type Float32Entry, type SafetensorsEntry } from './safetensors.js';
export { writeFileAtomic } from './atomic-write.js';
export { HfTokenizer, type SpecialTokenIds } from './hf-tokenizer.js';
export {
  ARPO_TAG_TOKENS,
  BUILTIN_PRETOKENIZER_PATTERN,
  BUILTIN_SPECIAL_TOKENS,
  BuiltinTokenizer,
  type BuiltinTokenizerTrainOptions,
} from './builtin-tokenizer.js';
export { isSerializableTokenizer, type SerializableTokenizer } from './serializable-tokenizer.js';
