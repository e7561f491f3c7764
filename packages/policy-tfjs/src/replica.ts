import type { Tokenizer } from '@arpo/core';
import type { BackendChoice } from './backend.js';
import { BuiltinTokenizer } from './builtin-tokenizer.js';
import { HfTokenizer } from './hf-tokenizer.js';
import type { ModelConfig } from './model-config.js';
import { TfjsPolicy } from './tfjs-policy.js';

/** The tokenizer of a replica: its HF files when it can be serialised, else only the special ids (scoring needs no text). */
export type ReplicaTokenizer =
  | { kind: 'json'; json: unknown; config: Record<string, unknown> }
  | { kind: 'ids'; vocabSize: number; eosTokenId: number; padTokenId: number; bosTokenId?: number };

/** What {@link createTfjsReplica} needs (plain data, sent to a worker thread). */
export interface TfjsReplicaOptions {
  config: ModelConfig;
  tokenizer: ReplicaTokenizer;
  backend: BackendChoice;
  seed: number;
  modelId: string;
  eosTokenIds: number[];
  scoreTemperature?: number;
  scoreBatchSize?: number;
  kvCache?: boolean;
  maxCachedSequences?: number;
}

function idsOnlyTokenizer(t: Extract<ReplicaTokenizer, { kind: 'ids' }>): Tokenizer {
  const noText = (): never => {
    throw new Error('this policy replica has only token ids (its tokenizer could not be serialised)');
  };
  const out: Tokenizer = { specificationVersion: 'v1', vocabSize: t.vocabSize, eosTokenId: t.eosTokenId, padTokenId: t.padTokenId, encode: noText, decode: noText };
  return t.bosTokenId === undefined ? out : { ...out, bosTokenId: t.bosTokenId };
}

/**
 * Builds a replica of a {@link TfjsPolicy} from {@link TfjsPolicy.replicaSpec}'s options, in a worker thread: the
 * same architecture, tokenizer and options, with placeholder weights that the caller overwrites. Silent (no
 * backend log lines).
 */
export async function createTfjsReplica(options: TfjsReplicaOptions): Promise<TfjsPolicy> {
  const t = options.tokenizer;
  const tokenizer =
    t.kind === 'ids' ? idsOnlyTokenizer(t) : BuiltinTokenizer.isBuiltinJson(t.json) ? BuiltinTokenizer.fromTokenizerJson(t.json) : new HfTokenizer(t.json as Record<string, unknown>, t.config);
  const policyOptions: Parameters<typeof TfjsPolicy.create>[1] = {
    tokenizer,
    backend: options.backend,
    seed: options.seed,
    modelId: options.modelId,
    eosTokenIds: options.eosTokenIds,
    log: () => undefined,
  };
  if (options.scoreTemperature !== undefined) policyOptions.scoreTemperature = options.scoreTemperature;
  if (options.scoreBatchSize !== undefined) policyOptions.scoreBatchSize = options.scoreBatchSize;
  if (options.kvCache !== undefined) policyOptions.kvCache = options.kvCache;
  if (options.maxCachedSequences !== undefined) policyOptions.maxCachedSequences = options.maxCachedSequences;
  return TfjsPolicy.create(options.config, policyOptions);
}
