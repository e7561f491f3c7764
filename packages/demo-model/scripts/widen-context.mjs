// Copies an HF checkpoint folder with a larger max_position_embeddings (RoPE models have no position weights, so
// the weights and tokenizer are copied byte for byte). Usage: node widen-context.mjs <from> <to> <positions>
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [from, to, positions] = process.argv.slice(2);
const n = Number(positions);
if (!from || !to || !Number.isInteger(n) || n < 1) {
  console.error('usage: node widen-context.mjs <from folder> <to folder> <max_position_embeddings>');
  process.exit(2);
}
const config = JSON.parse(readFileSync(join(from, 'config.json'), 'utf8'));
if (n < config.max_position_embeddings) {
  console.error(`widen-context: ${n} < the checkpoint's max_position_embeddings ${config.max_position_embeddings} (expected a larger context)`);
  process.exit(2);
}
mkdirSync(to, { recursive: true });
writeFileSync(join(to, 'config.json'), `${JSON.stringify({ ...config, max_position_embeddings: n }, null, 2)}\n`);
for (const f of ['model.safetensors', 'tokenizer.json']) copyFileSync(join(from, f), join(to, f));
console.log(`${to}: max_position_embeddings ${config.max_position_embeddings} -> ${n}`);
