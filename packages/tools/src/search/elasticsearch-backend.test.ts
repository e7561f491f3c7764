import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ArpoConfigError } from '@arpo/core';
import { createElasticsearchBackend } from './elasticsearch-backend.js';
import { SearchBackendError } from './search-backend.js';
import { createSearchTool } from './search-tool.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What the fake server does next. */
let reply: (res: ServerResponse) => void;
const received: Received[] = [];
const timers = new Set<NodeJS.Timeout>();
let server: Server;
let base: string;

const ok = (json: unknown) => (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      reply(res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const timer of timers) clearTimeout(timer);
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});
beforeEach(() => {
  received.length = 0;
});

const ES_RESPONSE = {
  took: 3,
  timed_out: false,
  hits: {
    total: { value: 2, relation: 'eq' },
    max_score: 2.5,
    hits: [
      { _index: 'wiki', _id: 'france', _score: 2.5, _source: { title: 'France', text: 'France is a country.' } },
      { _index: 'wiki', _id: 'paris', _score: 1.25, _source: { text: 'Paris is the capital of France.' } },
    ],
  },
};

describe('Elasticsearch backend', () => {
  it('POSTs a multi_match query to <url>/<index>/_search and parses the hits', async () => {
    reply = ok(ES_RESPONSE);
    const backend = createElasticsearchBackend({
      url: `${base}/`,
      index: 'wiki',
      headers: { authorization: 'ApiKey secret' },
    });
    expect(backend.endpoint).toBe(`${base}/wiki/_search`);
    const hits = await backend.search('capital of France', 3);
    expect(hits).toEqual([
      { id: 'france', title: 'France', text: 'France is a country.', score: 2.5 },
      { id: 'paris', title: '', text: 'Paris is the capital of France.', score: 1.25 },
    ]);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/wiki/_search');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe('ApiKey secret');
    expect(request!.body).toEqual({
      size: 3,
      query: { multi_match: { query: 'capital of France', fields: ['title^2', 'text'] } },
      _source: ['title', 'text'],
    });
  });

  it('uses the configured field names and id field (dotted paths allowed)', async () => {
    reply = ok({
      hits: {
        hits: [{ _id: 'x1', _score: 1, _source: { doc_id: 17, headline: 'H', meta: { body: ['part one', 'part two'] } } }],
      },
    });
    const backend = createElasticsearchBackend({
      url: base,
      index: 'news',
      titleField: 'headline',
      textField: 'meta.body',
      idField: 'doc_id',
    });
    expect(await backend.search('anything', 5)).toEqual([{ id: '17', title: 'H', text: 'part one part two', score: 1 }]);
    expect(received[0]!.body).toEqual({
      size: 5,
      query: { multi_match: { query: 'anything', fields: ['headline^2', 'meta.body'] } },
      _source: ['headline', 'meta.body', 'doc_id'],
    });
  });

  it('turns an HTTP error into an error with the status, the URL and a body excerpt', async () => {
    reply = (res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"type":"search_phase_execution_exception","reason":"all shards failed"},"status":500}');
    };
    const backend = createElasticsearchBackend({ url: base, index: 'wiki' });
    const error = await backend.search('Paris', 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SearchBackendError);
    expect((error as SearchBackendError).message).toBe(
      `Elasticsearch request to ${base}/wiki/_search failed with HTTP 500 Internal Server Error: ` +
        '{"error":{"type":"search_phase_execution_exception","reason":"all shards failed"},"status":500}',
    );
    expect((error as SearchBackendError).details.httpStatus).toBe(500);
    expect((error as SearchBackendError).timedOut).toBe(false);
  });

  it('names the server when the response is malformed JSON or has no hits', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"hits": {"hits": [');
    };
    const backend = createElasticsearchBackend({ url: base, index: 'wiki' });
    await expect(backend.search('Paris', 10)).rejects.toThrow(
      `Elasticsearch server at ${base}/wiki/_search returned malformed JSON (HTTP 200): {"hits": {"hits": [`,
    );
    reply = ok({ acknowledged: true });
    await expect(backend.search('Paris', 10)).rejects.toThrow(
      `Elasticsearch server at ${base}/wiki/_search returned JSON without a hits.hits array: {"acknowledged":true}`,
    );
  });

  it('times out a slow response', async () => {
    reply = (res) => {
      const timer = setTimeout(() => ok(ES_RESPONSE)(res), 2000);
      timers.add(timer);
    };
    const backend = createElasticsearchBackend({ url: base, index: 'wiki', timeoutMs: 100 });
    const started = Date.now();
    const error = await backend.search('Paris', 10).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error).toBeInstanceOf(SearchBackendError);
    expect((error as SearchBackendError).message).toBe(
      `Elasticsearch request to ${base}/wiki/_search timed out after 100 ms.`,
    );
    expect((error as SearchBackendError).timedOut).toBe(true);
  });

  it('rejects with the caller signal reason on abort', async () => {
    reply = (res) => {
      const timer = setTimeout(() => ok(ES_RESPONSE)(res), 2000);
      timers.add(timer);
    };
    const backend = createElasticsearchBackend({ url: base, index: 'wiki' });
    const controller = new AbortController();
    const pending = backend.search('Paris', 10, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('cancelled by caller')), 50);
    await expect(pending).rejects.toThrow('cancelled by caller');
  });

  it('reports a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const backend = createElasticsearchBackend({ url: `http://127.0.0.1:${port}`, index: 'wiki' });
    await expect(backend.search('Paris', 10)).rejects.toThrow(
      `Elasticsearch request to http://127.0.0.1:${port}/wiki/_search failed: ECONNREFUSED`,
    );
  });

  it('sends no request for a query without words or for topK 0', async () => {
    const backend = createElasticsearchBackend({ url: base, index: 'wiki' });
    expect(await backend.search('?!"()', 10)).toEqual([]);
    expect(await backend.search('Paris', 0)).toEqual([]);
    expect(received).toHaveLength(0);
  });

  it('validates its config', () => {
    expect(() => createElasticsearchBackend({ url: 'localhost:9200', index: 'wiki' })).toThrow(ArpoConfigError);
    expect(() => createElasticsearchBackend({ url: base, index: 'a/b' })).toThrow(
      'Invalid elasticsearch config: index = "a/b" (expected a non-empty index name without spaces or "/")',
    );
    expect(() => createElasticsearchBackend({ url: base, index: 'wiki', timeoutMs: 0 })).toThrow(
      'Invalid elasticsearch config: timeoutMs = 0 (expected a number >= 1)',
    );
  });

  it('feeds the search tool: results, errors and timeouts become tool results', async () => {
    const tool = createSearchTool(createElasticsearchBackend({ url: base, index: 'wiki', timeoutMs: 100 }));
    reply = ok(ES_RESPONSE);
    expect(await tool.execute('"capital" of France')).toEqual({
      text: 'Page 1: France is a country.\nPage 2: Paris is the capital of France.',
      status: 'ok',
    });
    expect((received.at(-1)!.body as { query: { multi_match: { query: string } } }).query.multi_match.query).toBe(
      'capital of France',
    );
    reply = (res) => {
      res.writeHead(503);
      res.end('unavailable');
    };
    expect(await tool.execute('Paris')).toEqual({
      text: `Search failed: Elasticsearch request to ${base}/wiki/_search failed with HTTP 503 Service Unavailable: unavailable`,
      status: 'error',
      retryable: true,
    });
    reply = (res) => {
      timers.add(setTimeout(() => ok(ES_RESPONSE)(res), 2000));
    };
    expect(await tool.execute('Paris')).toEqual({
      text: `Search failed: Elasticsearch request to ${base}/wiki/_search timed out after 100 ms.`,
      status: 'timeout',
      retryable: false,
    });
  });
});
