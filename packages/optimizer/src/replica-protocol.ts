import type { GenerateRequest, Generation } from '@arpo/core';
import type { MicroGradient, MicroInput } from './gradient-accumulator.js';
import type { LossSpec } from './loss-builders.js';
import type { NonFiniteLocation } from './non-finite-error.js';
import type { PolicyReplicaSpec } from './replicable-policy.js';

/** Where one trainable variable lives in the shared weight and gradient buffers (float32 offsets). */
export interface VariableSlot {
  name: string;
  shape: number[];
  offset: number;
  size: number;
}

/** `workerData` of a gradient worker. */
export interface WorkerInit {
  index: number;
  spec: PolicyReplicaSpec;
  setupModule?: string;
  layout: VariableSlot[];
  /** The weights, written by the main thread before a request whose `version` is new. */
  weights: SharedArrayBuffer;
}

/** Main → worker. */
export type WorkerRequest =
  | {
      type: 'gradient';
      id: number;
      version: number;
      micro: MicroInput;
      loss: LossSpec;
      withEntropy: boolean;
      sumCount: number;
      score: { temperature?: number };
    }
  | { type: 'logprobs'; id: number; version: number; sequences: { promptTokens: readonly number[]; responseTokens: readonly number[] }[]; temperature?: number }
  | { type: 'generate'; id: number; version: number; request: Omit<GenerateRequest, 'signal'>; rowIndices?: number[] }
  | { type: 'fork'; id: number; parentId: string; childId: string }
  | { type: 'release'; id: number; sequenceId: string }
  | { type: 'tensors'; id: number };

/** A failure inside a worker, rebuilt as the same error class on the main thread where it is one of ours. */
export interface WorkerFailure {
  name: string;
  message: string;
  quantity?: string;
  value?: number;
  location?: NonFiniteLocation;
}

/** Worker → main. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; error: WorkerFailure }
  | ({ type: 'gradient'; id: number } & MicroGradient)
  | { type: 'logprobs'; id: number; rows: number[][] }
  | { type: 'generate'; id: number; generations: Generation[] }
  | { type: 'done'; id: number }
  | { type: 'tensors'; id: number; count: number }
  | { type: 'failure'; id: number; error: WorkerFailure };
