/**
 * The JSON of the OpenAI-compatible completions API (`POST /v1/completions`) as vLLM, SGLang and llama.cpp's
 * server implement it: the standard fields plus the extensions this package reads or writes. Every field of a
 * response is optional here because servers differ; the parser checks what it needs and names what is missing.
 */

/** Prompt forms of the API: text, token ids, or a batch of either. */
export type CompletionPrompt = string | string[] | number[] | number[][];

/** The request body of `POST /v1/completions`. */
export interface CompletionRequestBody {
  /** Served model name (`GET /v1/models`). */
  model: string;
  /** Text or token ids; an array of them asks for one completion set per prompt. */
  prompt: CompletionPrompt;
  /** New-token cap. */
  max_tokens?: number;
  /** Sampling temperature; 0 is greedy. */
  temperature?: number;
  /** Nucleus mass in (0, 1]. */
  top_p?: number;
  /** Top-k truncation, 0 or -1 disables (vLLM, SGLang and llama.cpp extension). */
  top_k?: number;
  /** Stop strings. */
  stop?: string | string[];
  /** Number of top log-probs per position (legacy completions form; 0 returns the sampled token's only). */
  logprobs?: number | boolean | null;
  /** Chat-style count of top log-probs, accepted with `logprobs: true`. */
  top_logprobs?: number;
  /** Completions per prompt. */
  n?: number;
  /** Sampling seed of this request. */
  seed?: number;
  /** Streaming is not supported by this package. */
  stream?: boolean;
  /** vLLM: write tokens as `token_id:<id>` strings in `logprobs.tokens` and the `top_logprobs` keys. */
  return_tokens_as_token_ids?: boolean;
  /** vLLM ≥ 0.10: return `choices[].token_ids` (and `prompt_token_ids`). */
  return_token_ids?: boolean;
  /** vLLM: keep the matched stop string in the output (ARPO needs the closing tool tag). */
  include_stop_str_in_output?: boolean;
  /** vLLM: drop special tokens from the text (the token ids keep them). */
  skip_special_tokens?: boolean;
  /** This package's server: seed of the whole batch the request's rows belong to (see `arpo_batch_row`). */
  arpo_batch_seed?: number;
  /** This package's server: index of the request's first row in that batch. */
  arpo_batch_row?: number;
  /**
   * This package's server: rows of the same batch (this one included) sent to this server at the same time;
   * the server waits for all of them (up to its `maxBatchWaitMs`) and generates them in one call.
   */
  arpo_batch_peers?: number;
  /** This package's server: also return the full-distribution entropy per position (`choices[].entropies`). */
  arpo_return_entropy?: boolean;
  /** Other fields pass through. */
  [field: string]: unknown;
}

/** Legacy completions log-probs (OpenAI, vLLM, SGLang). */
export interface LegacyLogprobs {
  /** Token strings (`token_id:<id>` with vLLM's `return_tokens_as_token_ids`). */
  tokens?: string[];
  /** Log-prob of each generated token; `null` stands for −∞. */
  token_logprobs?: (number | null)[];
  /** Per position, token string → log-prob of the top candidates (vLLM adds the sampled token when it is not among them). */
  top_logprobs?: (Record<string, number | null> | null)[] | null;
  /** Character offset of each token in the text. */
  text_offset?: number[];
}

/** One candidate of a chat-style log-prob entry (llama.cpp's server). */
export interface ContentTopLogprob {
  /** Token id, when the server gives it. */
  id?: number;
  /** Token text. */
  token?: string;
  /** Log-prob of the candidate. */
  logprob: number | null;
}

/** One position of chat-style log-probs (llama.cpp's server answers `/v1/completions` this way). */
export interface ContentLogprob extends ContentTopLogprob {
  /** The most likely candidates of this position. */
  top_logprobs?: ContentTopLogprob[];
}

/** Log-probs in either form. */
export interface ChoiceLogprobs extends LegacyLogprobs {
  /** Chat-style per-position entries (llama.cpp). */
  content?: ContentLogprob[];
}

/** One completion of a response. */
export interface CompletionChoice {
  /** Which completion: prompt index × n + sample index. */
  index?: number;
  /** Generated text. */
  text?: string;
  /** `stop` (EOS or a stop string), `length` (token cap), others are errors. */
  finish_reason?: string | null;
  /** vLLM: the stop string or stop token id that ended the completion (`null` for EOS). */
  stop_reason?: string | number | null;
  /** SGLang: the matched stop string or token id. */
  matched_stop?: string | number | null;
  /** Generated token ids (vLLM `return_token_ids`, this package's server). */
  token_ids?: number[];
  /** Generated token ids under the name some servers use. */
  tokens?: number[];
  /** Log-probs; `null` when not requested or not supported. */
  logprobs?: ChoiceLogprobs | null;
  /** This package's server (`arpo_return_entropy`): full-distribution entropy per position, nats. */
  entropies?: number[];
}

/** The response body of `POST /v1/completions`. */
export interface CompletionResponse {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices?: CompletionChoice[];
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
}

/** The error body of OpenAI-compatible servers. */
export interface ErrorResponse {
  error: { message: string; type: string; param?: string | null; code?: number | string | null };
}
