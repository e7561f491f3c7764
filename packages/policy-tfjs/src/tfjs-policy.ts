import * as tf from '@tensorflow/tfjs';
import {
  ArpoError,
  createRng,
  type GenerateRequest,
  type Generation,
  type Rng,
  type ScoreRequest,
  type Tokenizer,
  type TokenScores,
  type TrainablePolicy,
} from '@arpo/core';
import type { BackendChoice, BackendSelection } from './backend.js';
import { BuiltinTokenizer } from './builtin-tokenizer.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { Decoder } from './decoder.js';
import { createWeights, disposeWeights, randomTensors, type DecoderWeights } from './decoder-weights.js';
import { ensureBackend } from './ensure-backend.js';
import { generateBatch, type GenerateStats } from './generate.js';
import type { ReplicaTokenizer, TfjsReplicaOptions } from './replica.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { KvCacheStore } from './kv-cache-store.js';
import { modelDims, parseModelConfig, type ModelConfig, type ModelConfigInput, type ModelDims } from './model-config.js';
import { scoreSequences } from './score-tokens.js';
import { isSerializableTokenizer } from './serializable-tokenizer.js';

/** Options shared by {@link TfjsPolicy.create} and {@link TfjsPolicy.load}. */
export interface TfjsPolicyOptions {
  /** tfjs backend (default `auto`: tfjs-node(-gpu) if installed, else wasm, else cpu); `current` keeps tfjs's. */
  backend?: BackendChoice | 'current';
  /** Seed of the weight initialisation (create) and of sampling calls that pass no seed. Default 0. */
  seed?: number;
  /** Recorded in run metadata; default `tfjs/<model_type>-<hidden>x<layers>`. */
  modelId?: string;
  /** Decode with a KV cache (default true). False recomputes the whole sequence every step. */
  kvCache?: boolean;
  /** Per-sequence caches kept across calls (least recently used evicted). Default 256. */
  maxCachedSequences?: number;
  /** Logits are divided by this in `scoreTokens` / `logprobs` (the reference scores at its rollout temperature). Default 1. */
  scoreTemperature?: number;
  /** Sequences per forward pass in `logprobs` (no-grad scoring). Default 8. */
  scoreBatchSize?: number;
  /** Ids that end generation; default: the tokenizer's EOS plus `eos_token_id` of the config files. */
  eosTokenIds?: readonly number[];
  /** Where backend choices and warnings are logged (default `console.info`). */
  log?: (message: string) => void;
}

/** Options of {@link TfjsPolicy.create}. */
export interface CreatePolicyOptions extends TfjsPolicyOptions {
  /** The tokenizer whose ids the model reads and writes. */
  tokenizer: Tokenizer;
}

/** Options of {@link TfjsPolicy.load}. */
export interface LoadPolicyOptions extends TfjsPolicyOptions {
  /** Overrides the folder's `tokenizer.json`. */
  tokenizer?: Tokenizer;
}

interface PolicyParts {
  config: ModelConfig;
  weights: DecoderWeights;
  tokenizer: Tokenizer;
  backend: BackendSelection;
  generationConfig: Record<string, unknown>;
  options: TfjsPolicyOptions;
  trainable: boolean;
}

const idList = (v: unknown): number[] => (typeof v === 'number' ? [v] : Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

/**
 * A Llama/Qwen2-architecture policy in TensorFlow.js implementing `@arpo/core`'s `Policy` (batched KV-cache
 * sampling with on-device entropy, per-sequence caches with fork/release) and `TrainablePolicy`
 * (differentiable per-token log-probs and entropies, trainable variables, HF checkpoints).
 */
export class TfjsPolicy implements TrainablePolicy<tf.Tensor2D, tf.Variable> {
  readonly specificationVersion = 'v1' as const;
  /** Rows sample from per-row RNG streams keyed by their row index (see `generate`'s `rowIndices`). */
  readonly samplesByRowIndex = true as const;
  readonly modelId: string;
  readonly tokenizer: Tokenizer;
  /** The parsed HF config. */
  readonly config: ModelConfig;
  /** Derived sizes. */
  readonly dims: ModelDims;

  /** `max_position_embeddings`: the most tokens a sequence may hold (the `Policy` contract's context length). */
  get contextLength(): number {
    return this.config.max_position_embeddings;
  }
  /** Sequences per forward pass of `logprobs` (the `scoreBatchSize` option, default 8). */
  get scoreBatchSize(): number {
    return this.options.scoreBatchSize ?? 8;
  }
  /** The backend in use and why it was chosen. */
  readonly backend: BackendSelection;
  /** Ids that end generation. */
  readonly eosTokenIds: ReadonlySet<number>;
  /** Stats of the last `generate` call (prefill / reused tokens, decode steps). */
  lastGenerateStats: GenerateStats = { prefillTokens: 0, reusedTokens: 0, steps: 0 };
  private readonly decoder: Decoder;
  private readonly weights: DecoderWeights;
  private readonly store: KvCacheStore;
  private readonly rng: Rng;
  private readonly options: TfjsPolicyOptions;
  private readonly generationConfig: Record<string, unknown>;
  private readonly trainable: boolean;
  private fingerprint: readonly object[];
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(parts: PolicyParts) {
    this.config = parts.config;
    this.dims = modelDims(parts.config);
    this.weights = parts.weights;
    this.tokenizer = parts.tokenizer;
    this.backend = parts.backend;
    this.options = parts.options;
    this.trainable = parts.trainable;
    this.generationConfig = parts.generationConfig;
    this.decoder = new Decoder(this.dims, this.weights);
    this.store = new KvCacheStore(parts.options.maxCachedSequences ?? 256);
    this.rng = createRng(parts.options.seed ?? 0);
    this.modelId = parts.options.modelId ?? `tfjs/${parts.config.model_type}-${this.dims.hidden}x${this.dims.layers}`;
    this.eosTokenIds = new Set(
      parts.options.eosTokenIds ?? [parts.tokenizer.eosTokenId, ...idList(parts.generationConfig['eos_token_id']), ...idList(parts.config.eos_token_id)],
    );
    this.fingerprint = this.currentFingerprint();
  }

  /** A freshly initialised model (N(0, initializer_range²) weights from `options.seed`). */
  static async create(config: ModelConfigInput | ModelConfig, options: CreatePolicyOptions): Promise<TfjsPolicy> {
    const parsed = parseModelConfig(config);
    const dims = modelDims(parsed);
    if (options.tokenizer.vocabSize > dims.vocab) {
      throw new ArpoError(`TfjsPolicy.create: tokenizer has ${options.tokenizer.vocabSize} ids (expected <= vocab_size = ${dims.vocab})`);
    }
    const backend = await ensureBackend(options.backend ?? 'auto', options.log);
    const weights = createWeights(dims, randomTensors(dims, options.seed ?? 0, parsed.initializer_range), true);
    return new TfjsPolicy({
      config: parsed,
      weights,
      tokenizer: options.tokenizer,
      backend,
      generationConfig: defaultGenerationConfig(options.tokenizer),
      options,
      trainable: true,
    });
  }

  /**
   * Loads a Hugging Face model folder (`config.json`, `model.safetensors` or sharded, `tokenizer.json`,
   * `generation_config.json`), e.g. one written by {@link save} or a downloaded Qwen2.5 / SmolLM model.
   */
  static async load(directory: string, options: LoadPolicyOptions = {}): Promise<TfjsPolicy> {
    const backend = await ensureBackend(options.backend ?? 'auto', options.log);
    const ckpt = await loadCheckpoint(directory);
    const weights = createWeights(ckpt.dims, ckpt.tensors, true);
    const generationConfig = ckpt.generationConfig ?? {};
    let tokenizer = options.tokenizer;
    if (!tokenizer) {
      if (ckpt.tokenizerJson === undefined) {
        disposeWeights(weights);
        throw new ArpoError(`TfjsPolicy.load: ${directory} has no tokenizer.json (pass options.tokenizer)`);
      }
      if (BuiltinTokenizer.isBuiltinJson(ckpt.tokenizerJson)) tokenizer = BuiltinTokenizer.fromTokenizerJson(ckpt.tokenizerJson);
      else {
        const eos = [...idList(generationConfig['eos_token_id']), ...idList(ckpt.config.eos_token_id)][0];
        const ids: { eosTokenId?: number; bosTokenId?: number; padTokenId?: number } = {};
        if (ckpt.tokenizerConfig?.['eos_token'] === undefined && eos !== undefined) ids.eosTokenId = eos;
        tokenizer = new HfTokenizer(ckpt.tokenizerJson as Record<string, unknown>, ckpt.tokenizerConfig ?? {}, ids);
      }
    }
    return new TfjsPolicy({
      config: ckpt.config,
      weights,
      tokenizer,
      backend,
      generationConfig: { ...defaultGenerationConfig(tokenizer), ...generationConfig },
      options,
      trainable: true,
    });
  }

  /**
   * A frozen copy with the current weights (e.g. the reference policy for the KL term): its
   * `trainableVariables()` is empty and later updates of this policy do not affect it.
   */
  frozenCopy(): TfjsPolicy {
    const tensors = new Map<string, tf.Tensor>();
    for (const [name, v] of this.weights.byName) tensors.set(name, tf.clone(v));
    return new TfjsPolicy({
      config: this.config,
      weights: createWeights(this.dims, tensors, false),
      tokenizer: this.tokenizer,
      backend: this.backend,
      generationConfig: this.generationConfig,
      options: { ...this.options, modelId: `${this.modelId}#frozen` },
      trainable: false,
    });
  }

  /**
   * How a worker thread builds a copy of this policy (`@arpo/optimizer`'s data-parallel gradients): this module's
   * `createTfjsReplica` with the config, tokenizer, backend and options; the weights are copied separately.
   */
  replicaSpec(): { module: string; factory: 'createTfjsReplica'; options: TfjsReplicaOptions } {
    this.checkAlive();
    const t = this.tokenizer;
    const tokenizer: ReplicaTokenizer = isSerializableTokenizer(t)
      ? { kind: 'json', json: t.toTokenizerJson(), config: t.tokenizerConfig() }
      : { kind: 'ids', vocabSize: t.vocabSize, eosTokenId: t.eosTokenId, padTokenId: t.padTokenId, ...(t.bosTokenId === undefined ? {} : { bosTokenId: t.bosTokenId }) };
    const o = this.options;
    const options: TfjsReplicaOptions = {
      config: this.config,
      tokenizer,
      backend: this.backend.backend,
      seed: o.seed ?? 0,
      modelId: this.modelId,
      eosTokenIds: [...this.eosTokenIds],
    };
    if (o.scoreTemperature !== undefined) options.scoreTemperature = o.scoreTemperature;
    if (o.scoreBatchSize !== undefined) options.scoreBatchSize = o.scoreBatchSize;
    if (o.kvCache !== undefined) options.kvCache = o.kvCache;
    if (o.maxCachedSequences !== undefined) options.maxCachedSequences = o.maxCachedSequences;
    return { module: import.meta.url, factory: 'createTfjsReplica', options };
  }

  /** Number of parameters. */
  numParameters(): number {
    let n = 0;
    for (const v of this.weights.byName.values()) n += v.size;
    return n;
  }

  /** The model variables by HF name (internal layout: Linear weights `[in, out]`). */
  variablesByName(): ReadonlyMap<string, tf.Variable> {
    return this.weights.byName;
  }

  /**
   * `Policy.generate`. `options.rowIndices`: the index each prefix had in a larger request this one was split from,
   * so that with the same seed each row samples exactly as it would have there (rows draw from per-row streams).
   */
  generate(request: GenerateRequest, options: { rowIndices?: readonly number[] } = {}): Promise<Generation[]> {
    return this.exclusive(() => {
      this.checkAlive();
      if (this.currentFingerprint().some((id, i) => id !== this.fingerprint[i])) {
        this.store.clear(); // the weights changed: cached keys/values are stale
        this.fingerprint = this.currentFingerprint();
      }
      const stats: GenerateStats = { prefillTokens: 0, reusedTokens: 0, steps: 0 };
      const rng = createRng(request.seed ?? this.rng.nextUint32());
      const useCache = this.options.kvCache ?? true;
      const ctx = {
        decoder: this.decoder,
        tokenizer: this.tokenizer,
        eosTokenIds: this.eosTokenIds,
        useCache,
        ...(useCache ? { store: this.store } : {}),
        ...(options.rowIndices ? { rowIndices: options.rowIndices } : {}),
      };
      const out = generateBatch(ctx, request, rng, stats);
      this.lastGenerateStats = stats;
      return out;
    });
  }

  fork(parentId: string, childId: string): void {
    this.store.fork(parentId, childId);
  }

  release(sequenceId: string): void {
    this.store.release(sequenceId);
  }

  /** Frees every per-sequence cache. */
  clearCache(): void {
    this.store.clear();
  }

  /** Number of sequences with a cache, and the bytes they hold. */
  cacheStats(): { sequences: number; bytes: number } {
    return { sequences: this.store.size, bytes: this.store.bytes() };
  }

  /**
   * Differentiable per-token log-probs `[B, maxResponseLength]` (and entropies) of the responses, right
   * padded with 0. Call inside the optimizer's gradient scope or `tf.tidy`; the caller owns the tensors.
   */
  scoreTokens(request: ScoreRequest): TokenScores<tf.Tensor2D> {
    this.checkAlive();
    const options: { withEntropy?: boolean; temperature?: number } = { temperature: request.temperature ?? this.options.scoreTemperature ?? 1 };
    if (request.withEntropy) options.withEntropy = true;
    return scoreSequences(this.decoder, request, options);
  }

  async logprobs(request: ScoreRequest): Promise<number[][]> {
    this.checkAlive();
    const size = this.options.scoreBatchSize ?? 8;
    const out: number[][] = [];
    for (let i = 0; i < request.sequences.length; i += size) {
      const chunk = request.sequences.slice(i, i + size);
      const t = tf.tidy(() => scoreSequences(this.decoder, { sequences: chunk }, { temperature: request.temperature ?? this.options.scoreTemperature ?? 1 }).logprobs);
      const rows = (await t.array()) as number[][];
      t.dispose();
      rows.forEach((r, j) => out.push(r.slice(0, chunk[j]!.responseTokens.length)));
    }
    return out;
  }

  trainableVariables(): tf.Variable[] {
    return this.trainable ? [...this.weights.byName.values()] : [];
  }

  async save(directory: string): Promise<void> {
    this.checkAlive();
    const parts: Parameters<typeof saveCheckpoint>[1] = {
      config: this.config,
      weights: this.weights,
      generationConfig: this.generationConfig,
    };
    if (isSerializableTokenizer(this.tokenizer)) {
      parts.tokenizerJson = this.tokenizer.toTokenizerJson();
      parts.tokenizerConfig = this.tokenizer.tokenizerConfig();
    } else {
      (this.options.log ?? console.warn)(`[@arpo/policy-tfjs] save: the tokenizer cannot be serialised; ${directory} gets no tokenizer.json`);
    }
    await saveCheckpoint(directory, parts);
  }

  /** Frees the weights, caches and tables. The policy is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.store.clear();
    this.decoder.dispose();
    disposeWeights(this.weights);
  }

  private currentFingerprint(): object[] {
    return [...this.weights.byName.values()].map((v) => v.dataId);
  }

  private checkAlive(): void {
    if (this.disposed) throw new ArpoError(`${this.modelId}: policy was disposed`);
  }

  private exclusive<T>(fn: () => T): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function defaultGenerationConfig(tokenizer: Tokenizer): Record<string, unknown> {
  const config: Record<string, unknown> = { eos_token_id: tokenizer.eosTokenId, pad_token_id: tokenizer.padTokenId, do_sample: true, temperature: 1, top_p: 1, top_k: 0 };
  if (tokenizer.bosTokenId !== undefined) config['bos_token_id'] = tokenizer.bosTokenId;
  return config;
}
