// The body of a replica worker thread (see ReplicaPool): a replica of the policy that differentiates the
// micro-batches it is sent (posting each gradient back, its buffers transferred, not copied), scores and generates.
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { disposeMicroScalars, microGradient, microScalars } from './gradient-accumulator.js';
import type { WorkerFailure, WorkerInit, WorkerReply, WorkerRequest } from './replica-protocol.js';
import { lossBuilder } from './loss-builders.js';
import { NonFiniteError } from './non-finite-error.js';
import type { ReplicablePolicy, RowSplitPolicy } from './replicable-policy.js';

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (reply: WorkerReply): void => port.postMessage(reply);

function failure(error: unknown): WorkerFailure {
  if (error instanceof NonFiniteError) return { name: error.name, message: error.message, quantity: error.quantity, value: error.value, location: error.location };
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

async function start(): Promise<void> {
  let policy: ReplicablePolicy;
  let variables: tf.Variable[];
  try {
    if (init.setupModule) await import(init.setupModule);
    const mod = (await import(init.spec.module)) as Record<string, unknown>;
    const factory = mod[init.spec.factory] ?? (mod['default'] as Record<string, unknown> | undefined)?.[init.spec.factory]; // a CommonJS bundle: its exports are on default
    if (typeof factory !== 'function') throw new Error(`${init.spec.module} has no function export ${JSON.stringify(init.spec.factory)}`);
    policy = (await (factory as (o: unknown) => Promise<ReplicablePolicy> | ReplicablePolicy)(init.spec.options)) as ReplicablePolicy;
    variables = policy.trainableVariables();
    // Names up to the first '/' are per-instance scopes (e.g. arpo_policy_3/): compare the rest and the shapes.
    const key = (name: string, shape: readonly number[]): string => `${name.replace(/^[^/]*\//, '')}[${shape.join(',')}]`;
    const names = variables.map((v) => key(v.name, v.shape)).join(' ');
    const want = init.layout.map((s) => key(s.name, s.shape)).join(' ');
    if (names !== want) throw new Error(`the replica's trainable variables differ from the policy's (replica: ${names.slice(0, 200)}; policy: ${want.slice(0, 200)})`);
  } catch (error) {
    post({ type: 'init-error', error: failure(error) });
    return;
  }
  const weights = new Float32Array(init.weights);
  let version = -1;
  let queue: Promise<void> = Promise.resolve();

  const handle = async (req: WorkerRequest): Promise<void> => {
    if (req.type === 'tensors') {
      post({ type: 'tensors', id: req.id, count: tf.memory().numTensors });
      return;
    }
    if (req.type === 'fork' || req.type === 'release') {
      try {
        if (req.type === 'fork') await policy.fork?.(req.parentId, req.childId);
        else await policy.release?.(req.sequenceId);
        post({ type: 'done', id: req.id });
      } catch (error) {
        post({ type: 'failure', id: req.id, error: failure(error) });
      }
      return;
    }
    try {
      if (req.version !== version) {
        tf.tidy(() => init.layout.forEach((s, i) => variables[i]!.assign(tf.tensor(weights.slice(s.offset, s.offset + s.size), s.shape))));
        version = req.version;
      }
      if (req.type === 'generate') {
        const generations = req.rowIndices ? await (policy as unknown as RowSplitPolicy).generate(req.request, { rowIndices: req.rowIndices }) : await policy.generate(req.request);
        post({ type: 'generate', id: req.id, generations });
        return;
      }
      if (req.type === 'logprobs') {
        const rows = await policy.logprobs(req.temperature === undefined ? { sequences: req.sequences } : { sequences: req.sequences, temperature: req.temperature });
        post({ type: 'logprobs', id: req.id, rows });
        return;
      }
      const t = microGradient({ policy, variables, withEntropy: req.withEntropy, build: lossBuilder(req.loss), score: req.score }, req.micro);
      const scalarTensor = microScalars(t);
      disposeMicroScalars(t);
      const scalars = Array.from(await scalarTensor.data());
      scalarTensor.dispose();
      const grads: (Float32Array | undefined)[] = [];
      for (const g of t.grads) {
        grads.push(g ? ((await g.data()) as Float32Array) : undefined);
        g?.dispose();
      }
      const n = req.sumCount;
      const reply: WorkerReply = { type: 'gradient', id: req.id, grads, loss: scalars[0]!, probe: scalars[1]!, sums: scalars.slice(2, 2 + n), maxima: scalars.slice(2 + n), hadEntropy: t.hadEntropy };
      port.postMessage(reply, grads.filter((g): g is Float32Array => g !== undefined).map((g) => g.buffer as ArrayBuffer));
    } catch (error) {
      post({ type: 'failure', id: req.id, error: failure(error) });
    }
  };
  port.on('message', (req: WorkerRequest) => {
    queue = queue.then(() => handle(req));
  });
  post({ type: 'ready' });
}

void start();
