#!/usr/bin/env node
// Exports what `arpo sft` trains on, for the PyTorch replica (train_sft.py): the demonstrations as token ids with
// their loss masks (made once), and per variant the initial model (HF folder with tokenizer.json: the same seeded
// weights `arpo sft` starts from) and the batch order of every step (the trainer's seeded per-epoch permutations).
// Usage: node tools/sft-replica/export-sft.mjs <base-config.yaml|json> <variants.json> <out-dir>
//   variants.json: { "<name>": { <config overrides: model, sft.steps, sft.demonstrations, ...> }, ... }
// Every variant keeps the base's data, demonstrations and tokenizer settings (the samples are shared).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  Reporter, StopSignal, batchAt, createRunPolicy, deepMerge, demonstrationSample, demonstrationTexts,
  makeDemonstrations, openSession, parseTrainerConfig, readConfigFile,
} from '@arpo/trainer';

const [configFile, variantsFile, outArg] = process.argv.slice(2);
if (!configFile || !variantsFile || !outArg) {
  console.error('usage: export-sft.mjs <base-config.yaml|json> <variants.json> <out-dir>');
  process.exit(2);
}
const out = resolve(outArg);
mkdirSync(out, { recursive: true });
const baseInput = readConfigFile(configFile);
const variants = JSON.parse(readFileSync(variantsFile, 'utf8'));
const configs = Object.entries(variants).map(([name, v]) => [name, parseTrainerConfig(deepMerge(baseInput, v))]);
const base = parseTrainerConfig(baseInput);
for (const [name, c] of configs) {
  if (c.sft.demonstrations !== base.sft.demonstrations || JSON.stringify(c.data) !== JSON.stringify(base.data)) throw new Error(`variant ${name}: data and sft.demonstrations must be the base's`);
}
const env = { reporter: new Reporter({ mode: 'plain' }), stop: new StopSignal(), argv: process.argv.slice(1) };
const session = await openSession(env, 'sft', join(out, 'run'), base);
try {
  const demos = await makeDemonstrations(session, session.tools.executor, session.data.train);
  const texts = (config) =>
    function* () {
      if (config.model.tokenizerTexts === 'corpus') for (const d of session.data.set?.corpus ?? []) yield d.text;
      yield* demonstrationTexts(demos);
    };
  let shared = null;
  const meta = {};
  for (const [name, config] of configs) {
    const policy = await createRunPolicy(config, texts(config));
    await policy.save(join(out, name));
    const maxLen = policy.config.max_position_embeddings;
    const samples = demos.map((d) => demonstrationSample(d, policy.tokenizer)).filter((x) => x.promptTokens.length + x.responseTokens.length <= maxLen);
    if (shared !== null && JSON.stringify(shared) !== JSON.stringify(samples)) throw new Error(`variant ${name}: its samples differ from the first variant's`);
    shared = samples;
    const s = config.sft;
    const order = [];
    for (let step = 0; step < s.steps; step++) order.push(batchAt(samples.length, s.batchSize, step, `${config.seed}/sft`));
    meta[name] = { sft: s, samples: samples.length, order };
    policy.dispose();
  }
  writeFileSync(join(out, 'samples.json'), JSON.stringify(shared.map((x) => ({ p: x.promptTokens, r: x.responseTokens, m: x.lossMask }))));
  writeFileSync(join(out, 'variants.json'), JSON.stringify(meta));
  console.log(`exported ${shared.length} samples, variants ${Object.keys(meta).join(', ')} to ${out}`);
} finally {
  await session.tools.close();
}
