import { ArpoConfigError } from '@arpo/core';
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { serveCompletions, type CompletionsServer } from '@arpo/policy-openai';
import type { TrainerConfig } from '../config/trainer-config.js';
import type { CommandEnv } from './session.js';

/**
 * `arpo serve`: serves `model.path` (any HF folder this project loads, e.g. `<run>/model`) over the OpenAI
 * completions API until the stop signal; concurrent requests are batched into one generation per round.
 */
export async function serveCommand(
  env: CommandEnv,
  options: { config: TrainerConfig; host?: string; port?: number; onListening?: (server: CompletionsServer) => void },
): Promise<void> {
  const modelPath = options.config.model.path;
  if (!modelPath) throw new ArpoConfigError('arpo serve', [{ field: 'model.path (--model)', value: undefined, expected: 'the folder of the model to serve' }]);
  const policy = await TfjsPolicy.load(modelPath, { backend: options.config.model.backend, seed: options.config.seed, log: (m) => env.reporter.info(m) });
  const server = await serveCompletions({
    policy,
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8000,
    seed: options.config.seed,
    log: (m) => env.reporter.info(m),
  });
  env.reporter.record('listening', { url: server.url, model: server.modelName });
  env.reporter.info(`serving ${server.modelName} at ${server.url}/v1 (Ctrl-C stops)`);
  options.onListening?.(server);
  try {
    await new Promise<void>((resolve) => {
      if (env.stop.stopped) resolve();
      else env.stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await server.close();
    policy.dispose();
  }
}
