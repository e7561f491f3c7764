// Bench server process: `node bench/serve-checkpoint.mjs <checkpoint dir>` loads a tfjs checkpoint saved with
// the toy tokenizer, serves it with the built package on a free port and prints {"url": …} on stdout.
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { serveCompletions } from '../dist/index.js';
import { ToyToolTokenizer } from '@arpo/testing';

const dir = process.argv[2];
if (!dir) throw new Error('usage: serve-checkpoint.mjs <checkpoint dir>');
const policy = await TfjsPolicy.load(dir, { tokenizer: new ToyToolTokenizer(), log: () => undefined });
const server = await serveCompletions({ policy, port: 0, modelName: 'tiny' });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
