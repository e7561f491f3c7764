// Child-process server for the fault tests: `vite-node serve-checkpoint.ts <checkpoint dir>` loads the tiny
// tfjs checkpoint with the toy tokenizer, serves it on a free port and prints {"url": …} on stdout.
import { TfjsPolicy } from '@arpo/policy-tfjs';
import { ToyToolTokenizer } from '@arpo/testing';
import { serveCompletions } from '../completions-server.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: serve-checkpoint.ts <checkpoint dir>');
const policy = await TfjsPolicy.load(dir, { tokenizer: new ToyToolTokenizer(), log: () => undefined });
const server = await serveCompletions({ policy, port: 0, modelName: 'tiny' });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
