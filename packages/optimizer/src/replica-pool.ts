import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { ArpoError, type GenerateRequest, type Generation, type Policy, type ScoreRequest } from '@arpo/core';
import type { MicroGradient, MicroInput } from './gradient-accumulator.js';
import type { VariableSlot, WorkerFailure, WorkerInit, WorkerReply, WorkerRequest } from './replica-protocol.js';
import type { LossSpec } from './loss-builders.js';
import { NonFiniteError } from './non-finite-error.js';
import type { ReplicablePolicy } from './replicable-policy.js';

/** Options of {@link ReplicaPool.start}. */
export interface ReplicaPoolOptions {
  /** The policy whose replicas the workers hold (its current weights are copied before each request). */
  policy: ReplicablePolicy;
  /** Worker threads to start (each with its own tfjs instance and a replica of the weights). */
  threads: number;
  /** A module every worker imports first (e.g. one that registers custom components by name). */
  setupModule?: string;
  /** The worker script; default the built `replica-worker.js` next to this module. */
  workerScript?: string | URL;
}

/** What one gradient request asks of every worker. */
export interface GradientRequest {
  loss: LossSpec;
  withEntropy: boolean;
  sumCount: number;
  score: { temperature?: number };
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
  /** The request reads the shared weights (gradient, logprobs, generate). */
  readsWeights: boolean;
}

interface Lane {
  worker: Worker;
  threadId: number;
  pending: Map<number, Pending>;
  dead?: ArpoError;
}

function defaultWorkerScript(): URL {
  const here = new URL('./replica-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../dist/replica-worker.js', import.meta.url); // running from src (tests): the built script
}

/** The reply of `type` from worker `index`, or the error it reports (rebuilt), or an error naming the unexpected reply. */
function replyOf<T extends WorkerReply['type']>(index: number, type: T, reply: WorkerReply): Extract<WorkerReply, { type: T }> {
  if (reply.type === type) return reply as Extract<WorkerReply, { type: T }>;
  throw reply.type === 'failure' ? rebuild(index, reply.error) : new ArpoError(`replica worker ${index}: unexpected reply ${reply.type}`);
}

function rebuild(index: number, error: WorkerFailure): Error {
  if (error.name === 'NonFiniteError' && error.quantity !== undefined) {
    return new NonFiniteError(`${error.quantity} (replica worker ${index})`, error.value ?? NaN, error.location ?? {});
  }
  return new ArpoError(`replica worker ${index}: ${error.name}: ${error.message}`);
}

/**
 * Data-parallel gradients on `node:worker_threads`: each worker holds a replica of a {@link ReplicablePolicy}
 * (its own tfjs wasm instance, one core) and differentiates the micro-batches it is given, one at a time. Weights
 * go to the workers through one shared buffer, refreshed when a variable changed since the last request; each
 * micro-batch's gradient comes back as transferred buffers. The caller sums them in micro-batch order, so the sum
 * does not depend on which worker computed what or finished first. A worker that exits or throws fails the request (and every
 * later one) with an error naming it; workers never keep the process alive.
 */
export class ReplicaPool {
  private readonly variables: tf.Variable[];
  private readonly layout: VariableSlot[];
  private readonly weights: Float32Array;
  private fingerprint: object[] = [];
  private version = 0;
  private nextId = 1;
  private disposed = false;

  private constructor(
    private readonly lanes: Lane[],
    private readonly policy: ReplicablePolicy,
    layout: VariableSlot[],
    weights: Float32Array,
  ) {
    this.variables = policy.trainableVariables();
    this.layout = layout;
    this.weights = weights;
  }

  /** Starts `threads` workers and waits until each has built its replica. */
  static async start(options: ReplicaPoolOptions): Promise<ReplicaPool> {
    const { policy, threads } = options;
    if (!Number.isInteger(threads) || threads < 1) throw new ArpoError(`ReplicaPool: threads = ${threads} (expected an integer >= 1)`);
    const spec = policy.replicaSpec();
    let offset = 0;
    const layout: VariableSlot[] = policy.trainableVariables().map((v) => {
      const slot = { name: v.name, shape: [...v.shape], offset, size: v.size };
      offset += v.size;
      return slot;
    });
    const weightsBuffer = new SharedArrayBuffer(offset * 4);
    const script = options.workerScript ?? defaultWorkerScript();
    const lanes: Lane[] = [];
    const ready: Promise<void>[] = [];
    for (let index = 1; index <= threads; index++) {
      const data: WorkerInit = { index, spec, layout, weights: weightsBuffer };
      if (options.setupModule) data.setupModule = options.setupModule;
      const worker = new Worker(script, { workerData: data, execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')) }); // workers reject --input-type
      const lane: Lane = { worker, threadId: worker.threadId, pending: new Map() };
      lanes.push(lane);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onInit = (reply: WorkerReply): void => {
            if (reply.type === 'ready') resolve();
            else if (reply.type === 'init-error') reject(new ArpoError(`replica worker ${index} could not build its policy replica: ${reply.error.message}`));
            else return;
            worker.off('message', onInit);
          };
          worker.on('message', onInit);
          worker.once('error', (e) => reject(new ArpoError(`replica worker ${index} failed to start: ${e.message}`)));
          worker.once('exit', (code) => reject(new ArpoError(`replica worker ${index} exited with code ${code} while starting`)));
        }),
      );
    }
    const pool = new ReplicaPool(lanes, policy, layout, new Float32Array(weightsBuffer));
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.dispose();
      throw error;
    }
    lanes.forEach((lane, i) => {
      pool.watch(lane, i + 1);
      lane.worker.unref(); // after the listeners (adding one refs the worker again); ask() refs while a request is open
    });
    return pool;
  }

  /** Worker threads in the pool. */
  get threads(): number {
    return this.lanes.length;
  }

  /**
   * Sends the micro-batches of `shards[i]` to worker i + 1 (at most {@link threads} shards) with the current weights;
   * returns one promise per micro-batch, in the same layout, of its gradient and read-back scalars. Requests go out
   * before this returns, so the workers start while the caller computes its own share. A rejected promise that is
   * never awaited raises no unhandled-rejection error.
   */
  gradients(shards: readonly (readonly MicroInput[])[], request: GradientRequest): Promise<MicroGradient>[][] {
    this.checkAlive();
    if (shards.length > this.lanes.length) throw new ArpoError(`ReplicaPool.gradients: ${shards.length} shards for ${this.lanes.length} workers`);
    this.syncWeights();
    return shards.map((micros, w) =>
      micros.map((micro) => {
        const p = this.ask(w, { type: 'gradient', id: this.nextId++, version: this.version, micro, ...request }).then((reply): MicroGradient => {
          const { type: _type, id: _id, ...result } = replyOf(w + 1, 'gradient', reply);
          return result;
        });
        p.catch(() => undefined);
        return p;
      }),
    );
  }

  /**
   * No-grad log-probs of `shards[i]` on worker i + 1 with the current weights (the policy's `logprobs`), rows in
   * shard order; requests go out before this returns.
   */
  logprobs(shards: readonly ScoreRequest['sequences'][], temperature?: number): Promise<number[][][]> {
    this.checkAlive();
    if (shards.length > this.lanes.length) throw new ArpoError(`ReplicaPool.logprobs: ${shards.length} shards for ${this.lanes.length} workers`);
    this.syncWeights();
    const asked = shards.map((sequences, i) => {
      const req: WorkerRequest = { type: 'logprobs', id: this.nextId++, version: this.version, sequences: [...sequences] };
      if (temperature !== undefined) req.temperature = temperature;
      return this.ask(i, req).then((reply) => replyOf(i + 1, 'logprobs', reply).rows);
    });
    asked.forEach((p) => p.catch(() => undefined));
    return Promise.all(asked);
  }

  /**
   * A `Policy` that generates on worker `worker` (1-based) with the current weights of the pool's policy: the same
   * tokens as the policy itself for the same request, with its own KV caches (`fork` / `release` go to that
   * worker). For spreading independent work (e.g. evaluation questions) over the cores.
   */
  lanePolicy(worker: number): Policy {
    if (!Number.isInteger(worker) || worker < 1 || worker > this.lanes.length) {
      throw new ArpoError(`ReplicaPool.lanePolicy: worker = ${worker} (expected an integer in [1, ${this.lanes.length}])`);
    }
    const w = worker - 1;
    let deferred: Error | undefined;
    const defer = (reply: Promise<WorkerReply>): void => {
      reply.then((r) => replyOf(worker, 'done', r)).catch((error: unknown) => {
        deferred ??= error instanceof Error ? error : new ArpoError(String(error));
      });
    };
    const throwDeferred = (): void => {
      if (deferred) throw deferred;
    };
    const base = this.policy;
    const lane: Policy = {
      specificationVersion: 'v1',
      modelId: `${base.modelId}#worker${worker}`,
      tokenizer: base.tokenizer,
      generate: (request: GenerateRequest, options: { rowIndices?: readonly number[] } = {}): Promise<Generation[]> => {
        throwDeferred();
        return this.generateOn(worker, request, options.rowIndices);
      },
      // fork / release are posted without waiting for the reply (the worker runs requests in order, so the next
      // generate sees them); a failure is thrown by the next call of this lane.
      fork: (parentId: string, childId: string): void => {
        this.checkAlive();
        throwDeferred();
        defer(this.ask(w, { type: 'fork', id: this.nextId++, parentId, childId }));
      },
      release: (sequenceId: string): void => {
        this.checkAlive();
        throwDeferred();
        defer(this.ask(w, { type: 'release', id: this.nextId++, sequenceId }));
      },
    };
    return base.contextLength === undefined ? lane : { ...lane, contextLength: base.contextLength };
  }

  /**
   * `generate` on worker `worker` (1-based) with the current weights; `rowIndices` as in `TfjsPolicy.generate` (the
   * rows' indices in a larger request). The request is posted before this returns.
   */
  async generateOn(worker: number, request: GenerateRequest, rowIndices?: readonly number[]): Promise<Generation[]> {
    this.checkAlive();
    request.signal?.throwIfAborted();
    this.syncWeights();
    const { signal: _signal, ...plain } = request;
    const message: WorkerRequest = { type: 'generate', id: this.nextId++, version: this.version, request: plain };
    if (rowIndices) message.rowIndices = [...rowIndices];
    return replyOf(worker, 'generate', await this.ask(worker - 1, message)).generations;
  }

  /** Live tensors in each worker's tfjs engine (leak checks). */
  async workerTensorCounts(): Promise<number[]> {
    this.checkAlive();
    const replies = await Promise.all(this.lanes.map((_, i) => this.ask(i, { type: 'tensors', id: this.nextId++ })));
    return replies.map((r, i) => replyOf(i + 1, 'tensors', r).count);
  }

  /** Stops every worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // ref() first: an unref'd worker's pending exit would not keep the process alive until it is awaited.
    await Promise.all(
      this.lanes.map((lane) => {
        lane.worker.ref();
        return lane.worker.terminate();
      }),
    );
  }

  private checkAlive(): void {
    if (this.disposed) throw new ArpoError('ReplicaPool: the pool was disposed');
    const dead = this.lanes.find((l) => l.dead);
    if (dead) throw dead.dead!;
  }

  /** A worker that exits or throws outside a request fails whatever it was asked and everything after. */
  private watch(lane: Lane, index: number): void {
    const fail = (error: ArpoError): void => {
      if (this.disposed || lane.dead) return;
      lane.dead = error;
      for (const p of lane.pending.values()) p.reject(error);
      lane.pending.clear();
    };
    lane.worker.on('message', (reply: WorkerReply) => {
      if (!('id' in reply)) return;
      const p = lane.pending.get(reply.id);
      if (!p) return;
      lane.pending.delete(reply.id);
      if (lane.pending.size === 0 && !this.disposed) lane.worker.unref(); // disposing: keep the process alive until the exit
      p.resolve(reply);
    });
    lane.worker.on('error', (e) => fail(new ArpoError(`replica worker ${index} (thread ${lane.threadId}) crashed: ${e.message}`)));
    lane.worker.on('exit', (code) => fail(new ArpoError(`replica worker ${index} (thread ${lane.threadId}) exited with code ${code}`)));
  }

  private ask(laneIndex: number, request: WorkerRequest): Promise<WorkerReply> {
    const lane = this.lanes[laneIndex]!;
    if (lane.dead) return Promise.reject(lane.dead);
    return new Promise<WorkerReply>((resolve, reject) => {
      if (lane.pending.size === 0) lane.worker.ref();
      lane.pending.set(request.id, { resolve, reject, readsWeights: 'version' in request });
      lane.worker.postMessage(request);
    });
  }

  /** Copies the weights into the shared buffer when any variable changed (tfjs gives an assigned variable a new data id). */
  private syncWeights(): void {
    const now = this.variables.map((v) => v.dataId);
    if (now.length === this.fingerprint.length && now.every((id, i) => id === this.fingerprint[i])) return;
    const busy = this.lanes.findIndex((l) => [...l.pending.values()].some((p) => p.readsWeights));
    if (busy >= 0 && this.version > 0) {
      throw new ArpoError(`ReplicaPool: the policy's weights changed while replica worker ${busy + 1} still had requests open (update the weights between requests, not during them)`);
    }
    for (let i = 0; i < this.variables.length; i++) this.weights.set(this.variables[i]!.dataSync<'float32'>(), this.layout[i]!.offset);
    this.fingerprint = now;
    this.version += 1;
  }
}
