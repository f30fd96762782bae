import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, onTestFinished } from 'vitest';
import { gatewayEnv, startGateway } from '../../src/agent/gateway/index.js';
import { sseMeter } from '../../src/agent/gateway/meter.js';
import { DEFAULT_PRICES, priceFor, SONNET, type TokenCounts } from '../../src/agent/gateway/prices.js';
import { parseSse, say } from '../world/model/index.js';
import { counterIds, frame, streamEvents, toMessage } from '../world/model/sse.js';
import {
  firstFrame,
  gateway,
  heldUpstream,
  messagesBody,
  model,
  post,
  REAL_KEY,
  rest,
} from './gateway-helpers.js';

function headerText(headers: http.IncomingHttpHeaders): string {
  return JSON.stringify(headers);
}

describe('model gateway: keys', () => {
  it('forwards a request with the real key in place of the agent key, path, query and body unchanged', async () => {
    const upstream = await model([say('hi', { usage: { input_tokens: 1, output_tokens: 1 } })]);
    const gw = await gateway({ upstream: upstream.url });
    const body = messagesBody({ stream: false });

    const { res, text } = await post(gw, body, { 'anthropic-beta': 'claude-code-20250219' });

    expect(res.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'hi' }] });
    const [seen] = upstream.requests;
    expect(seen).toMatchObject({ method: 'POST', path: '/v1/messages', query: '?beta=true', body });
    expect(seen.headers['x-api-key']).toBe(REAL_KEY);
    expect(seen.headers['anthropic-beta']).toBe('claude-code-20250219');
    expect(headerText(seen.headers)).not.toContain(gw.agentKey);
  });

  it('accepts the agent key as a Bearer token and still sends only the real key upstream', async () => {
    const upstream = await model([say('hi')]);
    const gw = await gateway({ upstream: upstream.url });

    const { res } = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.agentKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(messagesBody({ stream: false })),
    }).then((r) => ({ res: r }));

    expect(res.status).toBe(200);
    expect(upstream.requests[0].headers['x-api-key']).toBe(REAL_KEY);
    expect(upstream.requests[0].headers.authorization).toBeUndefined();
  });

  it('refuses a wrong or missing agent key with 401 and never reaches the upstream', async () => {
    const upstream = await model([say('hi')]);
    const gw = await gateway({ upstream: upstream.url });

    const wrong = await post(gw, messagesBody(), { 'x-api-key': 'sk-ant-pilot-guessed' });
    const realKey = await post(gw, messagesBody(), { 'x-api-key': REAL_KEY });
    const missing = await fetch(`${gw.url}/v1/messages`, { method: 'POST', body: '{}' });

    for (const res of [wrong.res, realKey.res, missing]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('x-should-retry')).toBe('false');
    }
    expect(JSON.parse(wrong.text)).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(upstream.requests).toHaveLength(0);
  });

  it('sends an OAuth token as a Bearer credential with the oauth beta flag added to the CLI’s flags', async () => {
    const upstream = await model([say('hi')]);
    const gw = await gateway({
      upstream: upstream.url,
      credential: { oauthToken: 'sk-ant-oat01-subscription' },
    });

    await post(gw, messagesBody(), {
      'anthropic-beta': 'claude-code-20250219,fine-grained-tool-streaming-2025-05-14',
    });

    const { headers } = upstream.requests[0];
    expect(headers.authorization).toBe('Bearer sk-ant-oat01-subscription');
    expect(headers['x-api-key']).toBeUndefined();
    expect(headers['anthropic-beta']).toBe(
      'claude-code-20250219,fine-grained-tool-streaming-2025-05-14,oauth-2025-04-20',
    );
  });

  it('points the agent at the gateway with its own key and nothing else', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: upstream.url });

    expect(gw.agentKey).toMatch(/^sk-ant-pilot-[0-9a-f]{32}$/);
    expect(gw.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gatewayEnv(gw)).toEqual({ ANTHROPIC_BASE_URL: gw.url, ANTHROPIC_API_KEY: gw.agentKey });
  });

  it('gives each gateway a different agent key', async () => {
    const upstream = await model([]);
    const [a, b] = [await gateway({ upstream: upstream.url }), await gateway({ upstream: upstream.url })];
    expect(a.agentKey).not.toBe(b.agentKey);
  });
});

describe('model gateway: routes', () => {
  it('keeps the path prefix of an upstream base URL', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: `${upstream.url}/proxy/anthropic/` });

    await post(gw, messagesBody());

    expect(upstream.requests[0]).toMatchObject({ path: '/proxy/anthropic/v1/messages', query: '?beta=true' });
  });

  it('refuses routes that would spend or read past the meter, such as batches and files', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: upstream.url });

    const batches = await post(gw, { requests: [] }, {}, '/v1/messages/batches');
    const sneaky = await post(gw, {}, {}, '/v1/messages/../files');

    expect(batches.res.status).toBe(404);
    expect(batches.res.headers.get('x-should-retry')).toBe('false');
    expect(sneaky.res.status).toBe(404);
    expect(upstream.requests).toHaveLength(0);
  });

  it('forwards count_tokens without counting it as spend', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: upstream.url });

    const { res, text } = await post(gw, messagesBody(), {}, '/v1/messages/count_tokens?beta=true');

    expect(res.status).toBe(200);
    expect(JSON.parse(text).input_tokens).toBeGreaterThan(0);
    expect(gw.usage()).toMatchObject({ inputTokens: 0, costUsd: 0, requests: 0 });
  });

  it('answers 502 in the API’s error shape when the upstream cannot be reached', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const lines: string[] = [];
    const gw = await gateway({ upstream: `http://127.0.0.1:${port}`, log: (l) => lines.push(l) });

    const { res, text } = await post(gw, messagesBody());

    expect(res.status).toBe(502);
    expect(JSON.parse(text)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(lines.join('\n')).toContain('upstream request failed');
    expect(lines.join('\n')).not.toContain(REAL_KEY);
  });

  it('refuses to start without a usable upstream, credential or cap', async () => {
    const ok = { upstream: 'http://127.0.0.1:1', credential: { apiKey: 'k' }, maxCostUsd: 1 };
    await expect(startGateway({ ...ok, upstream: 'not a url' })).rejects.toThrow(/upstream/);
    await expect(startGateway({ ...ok, credential: { apiKey: '' } })).rejects.toThrow(/credential/);
    await expect(startGateway({ ...ok, maxCostUsd: 0 })).rejects.toThrow(/maxCostUsd/);
  });
});

describe('model gateway: streaming', () => {
  it('delivers the first event to the client while the upstream still holds the rest', {
    timeout: 10_000,
  }, async () => {
    const upstream = await heldUpstream();
    const gw = await gateway({ upstream: upstream.url });
    const res = await fetch(`${gw.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': gw.agentKey, 'content-type': 'application/json' },
      body: JSON.stringify(messagesBody()),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();

    const first = await firstFrame(reader);
    expect(parseSse(first)).toEqual([expect.objectContaining({ event: 'message_start' })]);

    upstream.release();
    const events = parseSse(await rest(reader));
    expect(events.map((e) => e.event)).toContain('message_stop');
  });

  it('stops the upstream answer when the client hangs up mid-stream', { timeout: 10_000 }, async () => {
    const upstream = await heldUpstream();
    const gw = await gateway({ upstream: upstream.url });
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gw.agentKey },
      body: JSON.stringify(messagesBody()),
      signal: abort.signal,
    });
    await firstFrame((res.body as ReadableStream<Uint8Array>).getReader());

    abort.abort();

    // Settles only if the gateway closed its upstream request; otherwise the test times out.
    await upstream.cutOff;
    expect(gw.usage()).toMatchObject({ requests: 1, inputTokens: 100 });
  });

  it('passes a streamed answer through unchanged', async () => {
    const script = () => [say('streamed text', { usage: { input_tokens: 7, output_tokens: 9 } })];
    const direct = await model(script());
    const proxied = await model(script());
    const gw = await gateway({ upstream: proxied.url });

    const viaGateway = await post(gw, messagesBody());
    const straight = await fetch(`${direct.url}/v1/messages?beta=true`, {
      method: 'POST',
      body: JSON.stringify(messagesBody()),
    }).then((r) => r.text());

    expect(viaGateway.text).toBe(straight);
  });
});

describe('model gateway: usage and cost', () => {
  it('adds up streamed and plain answers and prices each by its model family', async () => {
    const upstream = await model([
      say('one', {
        usage: {
          input_tokens: 1000,
          output_tokens: 200,
          cache_read_input_tokens: 5000,
          cache_creation_input_tokens: 300,
        },
      }),
      say('two', { usage: { input_tokens: 10, output_tokens: 20 } }),
    ]);
    const gw = await gateway({ upstream: upstream.url });

    await post(gw, messagesBody({ model: 'claude-sonnet-4-5' }));
    await post(gw, messagesBody({ model: 'claude-haiku-4-5', stream: false }));

    const usage = gw.usage();
    expect(usage).toMatchObject({
      inputTokens: 1010,
      outputTokens: 220,
      cacheReadTokens: 5000,
      cacheWriteTokens: 300,
      requests: 2,
      refused: 0,
    });
    // Sonnet: $3 in, $15 out, $0.30 cache read, $3.75 cache write per MTok; Haiku 4.5: $1 in, $5 out.
    const sonnet = (1000 * 3 + 200 * 15 + 5000 * 0.3 + 300 * 3.75) / 1e6;
    const haiku = (10 * 1 + 20 * 5) / 1e6;
    expect(usage.costUsd).toBeCloseTo(sonnet + haiku, 12);
    expect(gw.tripped()).toBe(false);
  });

  it('reads usage from an answer the upstream compressed anyway, and passes its bytes on as sent', async () => {
    const body = JSON.stringify({
      type: 'message',
      model: 'claude-sonnet-4-5',
      usage: { input_tokens: 40, output_tokens: 2 },
    });
    const gzipped = gzipSync(body);
    const upstream = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipped);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const gw = await gateway({ upstream: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });

    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(
        `${gw.url}/v1/messages`,
        { method: 'POST', headers: { 'x-api-key': gw.agentKey } },
        resolve,
      );
      req.on('error', reject);
      req.end(JSON.stringify(messagesBody({ stream: false })));
    });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);

    expect(res.headers['content-encoding']).toBe('gzip');
    expect(Buffer.concat(chunks)).toEqual(gzipped);
    // The answer ends only after the meter has read it, so the counts are in by now.
    expect(gw.usage()).toMatchObject({ inputTokens: 40, outputTokens: 2 });
  });

  it('trips at the cap: later requests get 429 budget_exceeded, no retry, and never reach the upstream', async () => {
    const upstream = await model([
      say('pricey', { usage: { input_tokens: 10_000, output_tokens: 1000 } }),
      say('never'),
    ]);
    const lines: string[] = [];
    // The reservation (1000 output tokens, about $0.016) fits under the cap; the answer's usage does not.
    const gw = await gateway({ upstream: upstream.url, maxCostUsd: 0.02, log: (l) => lines.push(l) });

    const first = await post(gw, messagesBody());
    const second = await post(gw, messagesBody());

    expect(first.res.status).toBe(200);
    expect(gw.tripped()).toBe(true);
    expect(second.res.status).toBe(429);
    expect(second.res.headers.get('x-should-retry')).toBe('false');
    expect(JSON.parse(second.text)).toMatchObject({
      type: 'error',
      error: { type: 'budget_exceeded', message: expect.stringContaining('cost cap') },
    });
    expect(upstream.requests).toHaveLength(1);
    expect(gw.usage()).toMatchObject({ requests: 1, refused: 1 });
    expect(gw.usage().costUsd).toBeCloseTo(0.045, 12);
    expect(lines).toContain(
      'gateway: cost cap reached (spend reached the cap): $0.0300 of $0.02; refusing further requests',
    );
  });

  it('lets the request in flight when the cap is crossed finish its stream', {
    timeout: 10_000,
  }, async () => {
    const upstream = await heldUpstream({ input_tokens: 1_000_000, output_tokens: 20 });
    const gw = await gateway({ upstream: upstream.url, maxCostUsd: 1 });
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gw.agentKey },
      body: JSON.stringify(messagesBody()),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await firstFrame(reader);

    // message_start's input tokens alone ($3) crossed the cap while the answer is still streaming.
    expect(gw.tripped()).toBe(true);
    const refused = await post(gw, messagesBody());
    expect(refused.res.status).toBe(429);

    upstream.release();
    const events = parseSse(await rest(reader));
    expect(events.map((e) => e.event).slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(upstream.requests()).toBe(1);
    expect(gw.usage()).toMatchObject({ inputTokens: 1_000_000, outputTokens: 20, requests: 1, refused: 1 });
  });
});

describe('usage meter', () => {
  function meterTotals(text: string, chunkSize: number) {
    const totals: TokenCounts[] = [];
    let model: string | undefined;
    const meter = sseMeter({ model: (m) => (model = m), add: (t) => totals.push(t) });
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunkSize) meter.feed(bytes.subarray(i, i + chunkSize));
    meter.end();
    const sum = (k: keyof TokenCounts) => totals.reduce((n, t) => n + t[k], 0);
    return { model, input: sum('input'), output: sum('output'), cacheRead: sum('cacheRead') };
  }

  it('reads the same usage however the stream is cut into chunks, CRLF line ends included', () => {
    const message = toMessage(
      { text: 'héllo wörld', usage: { input_tokens: 12, output_tokens: 34, cache_read_input_tokens: 56 } },
      'claude-opus-4-6',
      counterIds(),
    );
    const text = streamEvents(message).map(frame).join('').replace(/\n/g, '\r\n');

    const expected = { model: 'claude-opus-4-6', input: 12, output: 34, cacheRead: 56 };
    for (const size of [1, 2, 7, 64, text.length]) expect(meterTotals(text, size)).toEqual(expected);
  });

  it('counts cumulative message_delta usage once, not once per event', () => {
    const delta = (output: number) =>
      frame({
        event: 'message_delta',
        data: { type: 'message_delta', delta: {}, usage: { output_tokens: output } },
      });
    const start = frame({
      event: 'message_start',
      data: { type: 'message_start', message: { model: 'm', usage: { input_tokens: 5, output_tokens: 1 } } },
    });

    expect(meterTotals(start + delta(10) + delta(25), 5)).toMatchObject({ input: 5, output: 25 });
  });

  it('reads cache writes from message_start and a last frame that lacks its closing blank line', () => {
    const totals: TokenCounts[] = [];
    const meter = sseMeter({ model: () => {}, add: (t) => totals.push(t) });
    const usage = { input_tokens: 3, cache_creation_input_tokens: 40, cache_read_input_tokens: 7 };
    meter.feed(
      Buffer.from(
        `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { usage } })}\n\n`,
      ),
    );
    meter.feed(
      Buffer.from(
        `: a comment line\nretry: 10\ndata: {"type":"message_delta","usage":{"output_tokens":9}}\n\n`,
      ),
    );
    meter.feed(Buffer.from('data: {"type":"message_stop"}'));
    meter.end();
    const sum = (k: keyof TokenCounts) => totals.reduce((n, t) => n + t[k], 0);
    expect([sum('input'), sum('output'), sum('cacheRead'), sum('cacheWrite')]).toEqual([3, 9, 7, 40]);
    expect(meter.complete()).toBe(true);
  });

  it('treats a stream whose frame outgrows the parser bound as unmetered (charged its reservation)', () => {
    const meter = sseMeter({ model: () => {}, add: () => {} });
    meter.feed(Buffer.from('data: {"type":"message_start","message":{}}\n\n'));
    // One frame that never ends: the parser gives up; further chunks must not throw.
    meter.feed(Buffer.from(`data: ${'x'.repeat(17 * 1024 * 1024)}`));
    meter.feed(Buffer.from('\n\ndata: {"type":"message_stop"}\n\n'));
    meter.end();
    expect(meter.complete()).toBe(false);
  });
});

describe('prices', () => {
  it('prices each model family at its list price and an unknown model as Sonnet', () => {
    expect(priceFor('claude-opus-4-6')).toMatchObject({
      input: 5,
      output: 25,
      cacheRead: 0.5,
      cacheWrite: 6.25,
    });
    expect(priceFor('claude-opus-4-5-20251101').input).toBe(5);
    expect(priceFor('claude-sonnet-4-5-20250929')).toBe(SONNET);
    expect(priceFor('claude-haiku-4-5')).toMatchObject({ input: 1, output: 5 });
    expect(priceFor('claude-3-5-haiku-20241022')).toMatchObject({ input: 0.8, output: 4 });
    expect(priceFor('some-future-model')).toBe(SONNET);
    expect(priceFor(undefined)).toBe(SONNET);
  });

  it('keeps the older Opus 4 and 4.1 at their higher price, in any provider’s spelling', () => {
    for (const id of [
      'claude-opus-4-20250514',
      'claude-opus-4-0',
      'claude-opus-4-1',
      'claude-opus-4-1-20250805',
      'anthropic.claude-opus-4-1-20250805-v1:0',
      'claude-opus-4@20250514',
      'claude-3-opus-20240229',
    ])
      expect(priceFor(id, DEFAULT_PRICES), id).toMatchObject({ input: 15, output: 75 });
  });
});
