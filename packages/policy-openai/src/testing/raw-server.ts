import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A bare HTTP server on 127.0.0.1 for fault tests: `handle` gets the parsed body and the request count. */
export async function rawServer(handle: (body: any, n: number, res: ServerResponse, req: IncomingMessage) => void): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      n += 1;
      handle(text ? JSON.parse(text) : undefined, n, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A valid vLLM-style answer with tokens 65, 66 ('a', 'b' in the ASCII test tokenizer). */
export function cannedCompletion(): unknown {
  return {
    id: 'cmpl-1',
    object: 'text_completion',
    model: 'm',
    choices: [
      {
        index: 0,
        text: 'ab',
        finish_reason: 'length',
        stop_reason: null,
        logprobs: { tokens: ['token_id:65', 'token_id:66'], token_logprobs: [-0.5, -1], top_logprobs: [{ 'token_id:65': -0.5 }, { 'token_id:67': -0.75, 'token_id:66': -1 }] },
      },
    ],
  };
}

/** Writes `body` as JSON with `status`. */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
