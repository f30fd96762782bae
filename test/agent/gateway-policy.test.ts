// The gateway's request policy over real HTTP on loopback, with the scripted model server upstream:
// which models pass, what is stripped before the upstream sees it, how many requests run at once, and
// that parallel, aborted or cut-off requests never spend past the cap.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RecordedRequest } from '../world/model/index.js';
import { counterIds, frame, streamEvents, toMessage } from '../world/model/sse.js';
import {
  countingProxy,
  firstFrame,
  gateway,
  heldUpstream,
  MODEL,
  messagesBody,
  model,
  post,
} from './gateway-helpers.js';

/** What the pinned CLI sends on every agent turn (recorded from 2.1.331 against the scripted server). */
const CLI_BETA =
  'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,per-turn-control-2026-07-01,mid-conversation-tool-changes-2026-07-01,thinking-token-count-2026-05-13,advanced-tool-use-2025-11-20,effort-2025-11-24,thinking-display-updates-2026-08-18';

/** A side request (no agent tools), so the scripted server answers it with `sideAnswer`. */
function sideBody(extra: Record<string, unknown> = {}) {
  return messagesBody({ tools: undefined, stream: false, ...extra });
}

/**
 * Sonnet's list prices by hand: the reservation is the body's bytes / 3 as input tokens at the input
 * price ($3/MTok) plus max_tokens at the output price ($15/MTok).
 */
function sonnetReservation(body: unknown): number {
  const bytes = Buffer.byteLength(JSON.stringify(body));
  const maxTokens = (body as { max_tokens: number }).max_tokens;
  return (Math.ceil(bytes / 3) * 3 + maxTokens * 15) / 1e6;
}

/** Answers each side request after `delayMs` with the usage `usageOf` gives for it. */
function slowSide(delayMs: number, usageOf: (req: RecordedRequest) => { input: number; output: number }) {
  return {
    sideAnswer: (req: RecordedRequest) => {
      const { input, output } = usageOf(req);
      return { text: 'ok', delayMs, usage: { input_tokens: input, output_tokens: output } };
    },
  };
}

describe('gateway policy: models', () => {
  it('refuses another model with 403 and no retry, before anything reaches the upstream', async () => {
    const upstream = await model([]);
    const lines: string[] = [];
    const gw = await gateway({ upstream: upstream.url, log: (l) => lines.push(l) });

    const { res, text } = await post(gw, sideBody({ model: 'claude-opus-x' }));

    expect(res.status).toBe(403);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(JSON.parse(text)).toMatchObject({
      type: 'error',
      error: {
        type: 'permission_error',
        message: expect.stringContaining('refuses model claude-opus-x: this run may use claude-sonnet-4-5'),
      },
    });
    expect(upstream.requests).toHaveLength(0);
    expect(gw.usage()).toMatchObject({ requests: 0, costUsd: 0 });
    expect(lines.join('\n')).toContain('refuses model claude-opus-x');
  });

  it('lets the CLI’s Haiku background model through whatever model the run uses', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: upstream.url });

    const { res } = await post(gw, sideBody({ model: 'claude-haiku-5-5' }));

    expect(res.status).toBe(200);
    expect(upstream.requests.map((r) => r.body)).toEqual([
      expect.objectContaining({ model: 'claude-haiku-5-5' }),
    ]);
  });

  it('reads a CLI alias as its family, and no configured model as the CLI’s default (Opus)', async () => {
    const upstream = await model([]);
    const sonnet = await gateway({ upstream: upstream.url, policy: { models: ['sonnet'] } });
    const unset = await gateway({ upstream: upstream.url, policy: { models: [] } });

    const statuses = [
      (await post(sonnet, sideBody({ model: 'claude-sonnet-5-5' }))).res.status,
      (await post(sonnet, sideBody({ model: 'claude-opus-5-5' }))).res.status,
      (await post(unset, sideBody({ model: 'claude-opus-5-5' }))).res.status,
      (await post(unset, sideBody({ model: 'claude-sonnet-5-5' }))).res.status,
      (await post(unset, sideBody({ model: 'claude-opusx-1' }))).res.status,
    ];

    expect(statuses).toEqual([200, 403, 200, 403, 403]);
    expect(upstream.requests.map((r) => (r.body as { model: string }).model)).toEqual([
      'claude-sonnet-5-5',
      'claude-opus-5-5',
    ]);
  });

  it('refuses a body it cannot read with 400, and passes count_tokens and the models list as they are', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: upstream.url });

    const broken = await post(gw, { messages: [] });
    const counted = await post(gw, sideBody({ model: 'claude-opus-x' }), {}, '/v1/messages/count_tokens');
    const models = await fetch(`${gw.url}/v1/models`, { headers: { 'x-api-key': gw.agentKey } });

    expect(broken.res.status).toBe(400);
    expect(broken.res.headers.get('x-should-retry')).toBe('false');
    expect(counted.res.status).toBe(200);
    expect(upstream.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/messages/count_tokens',
      'GET /v1/models',
    ]);
    expect(models.headers.get('x-should-retry')).not.toBe('false');
  });
});

describe('gateway policy: what reaches the upstream', () => {
  const attack = () =>
    sideBody({
      mcp_servers: [{ type: 'url', url: 'https://attacker.example/mcp', name: 'x' }],
      container: 'container_attacker',
      tools: [
        { name: 'Bash', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 50 },
        { type: 'web_fetch_20250910', name: 'web_fetch' },
        { type: 'code_execution_20250825', name: 'code_execution' },
        { type: 'mcp_toolset', mcp_server_name: 'x' },
        { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
      ],
      tool_choice: { type: 'tool', name: 'web_search' },
    });
  const betas = `${CLI_BETA},mcp-client-2025-04-04,fast-mode-2026-02-01,web-search-2025-03-05`;

  it('strips mcp_servers, container, server tools and unknown betas; keeps client tools and the CLI’s betas', async () => {
    const upstream = await model([]);
    const lines: string[] = [];
    const gw = await gateway({ upstream: upstream.url, log: (l) => lines.push(l) });

    const first = await post(gw, attack(), { 'anthropic-beta': betas });
    await post(gw, attack(), { 'anthropic-beta': betas });

    expect(first.res.status).toBe(200);
    const seen = upstream.requests[0];
    expect(seen.body).not.toHaveProperty('mcp_servers');
    expect(seen.body).not.toHaveProperty('container');
    expect(seen.body).not.toHaveProperty('tool_choice');
    expect((seen.body as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual([
      'Bash',
      'str_replace_based_edit_tool',
    ]);
    expect(seen.headers['anthropic-beta']).toBe(CLI_BETA);
    // Logged once per kind, not once per request.
    const log = lines.join('\n');
    for (const kind of [
      'mcp_servers',
      'container',
      'web_search_20250305',
      'mcp_toolset',
      'fast-mode-2026-02-01',
    ])
      expect(log.split(kind).length - 1, kind).toBe(1);
  });

  it('keeps the web_search tool and its beta when WebSearch is enabled, and prices its searches', async () => {
    const upstream = await model([]);
    const gw = await gateway({ upstream: upstream.url, policy: { models: [MODEL], webSearch: true } });

    await post(gw, attack(), { 'anthropic-beta': betas });

    const seen = upstream.requests[0];
    expect((seen.body as { tools: { name: string }[] }).tools.map((t) => t.name)).toEqual([
      'Bash',
      'web_search',
      'str_replace_based_edit_tool',
    ]);
    expect(seen.body).toMatchObject({ tool_choice: { type: 'tool', name: 'web_search' } });
    expect(seen.headers['anthropic-beta']).toBe(`${CLI_BETA},web-search-2025-03-05`);
  });

  it('lowers max_tokens to the ceiling, and a thinking budget below it, instead of refusing', async () => {
    const upstream = await model([]);
    const lines: string[] = [];
    const gw = await gateway({
      upstream: upstream.url,
      policy: { models: [MODEL], maxOutputTokens: 8000 },
      log: (l) => lines.push(l),
    });

    const { res } = await post(
      gw,
      sideBody({ max_tokens: 32000, thinking: { type: 'enabled', budget_tokens: 31999 } }),
    );
    await post(gw, sideBody({ max_tokens: 500 }));

    expect(res.status).toBe(200);
    expect(upstream.requests.map((r) => r.body)).toEqual([
      expect.objectContaining({ max_tokens: 8000, thinking: { type: 'enabled', budget_tokens: 7999 } }),
      expect.objectContaining({ max_tokens: 500 }),
    ]);
    expect(lines).toContain('gateway: lowered max_tokens to 8000 (asked for 32000) (logged once)');
  });
});

describe('gateway policy: requests in flight', () => {
  it('runs at most two requests upstream at once; the others wait and all complete', async () => {
    const upstream = await model(
      [],
      slowSide(300, () => ({ input: 10, output: 1 })),
    );
    const counted = await countingProxy(upstream.url);
    const gw = await gateway({ upstream: counted.url });

    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => post(gw, sideBody())));

    expect(answers.map((a) => a.res.status)).toEqual([200, 200, 200, 200, 200]);
    expect(counted.arrived()).toBe(5);
    expect(counted.maxOpen()).toBe(2);
    expect(gw.usage()).toMatchObject({ requests: 5, refused: 0 });
  });

  it('waits for in-flight requests to settle when a reservation does not fit yet, then lets it go', async () => {
    const upstream = await model(
      [],
      slowSide(200, () => ({ input: 10, output: 1 })),
    );
    const reservation = sonnetReservation(sideBody());
    // Room for two reservations, not three: the third waits until the first two settle (at almost nothing).
    const gw = await gateway({ upstream: upstream.url, maxCostUsd: reservation * 2.5 });

    const answers = await Promise.all([1, 2, 3, 4].map(() => post(gw, sideBody())));

    expect(answers.map((a) => a.res.status)).toEqual([200, 200, 200, 200]);
    expect(gw.tripped()).toBe(false);
    expect(gw.usage().costUsd).toBeLessThan(reservation);
  });
  it('drops a queued request whose client left: it never reaches the upstream and holds no slot', {
    timeout: 10_000,
  }, async () => {
    const upstream = await heldUpstream();
    const gw = await gateway({ upstream: upstream.url });
    const send = (signal?: AbortSignal) =>
      fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': gw.agentKey },
        body: JSON.stringify(messagesBody()),
        signal,
      });
    const held = await Promise.all([send(), send()]);
    const leaving = new AbortController();
    const queued = send(leaving.signal).catch(() => 'left');
    await new Promise((resolve) => setTimeout(resolve, 100));

    leaving.abort();
    expect(await queued).toBe('left');
    // The gateway hears of the hang-up on its next turn of the event loop; the slots free up later.
    await new Promise((resolve) => setTimeout(resolve, 100));
    upstream.release();
    await Promise.all(held.map((res) => res.text()));
    const after = await send();
    await after.text();

    expect(after.status).toBe(200);
    expect(upstream.requests()).toBe(3);
    expect(gw.usage().requests).toBe(3);
  });
});

describe('gateway policy: spend under the cap', () => {
  it('charges a stream the client abandoned before its usage its whole reservation', {
    timeout: 10_000,
  }, async () => {
    const upstream = await heldUpstream({ input_tokens: 100, output_tokens: 900 });
    const gw = await gateway({ upstream: upstream.url });
    const body = messagesBody();
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': gw.agentKey },
      body: JSON.stringify(body),
      signal: abort.signal,
    });
    await firstFrame((res.body as ReadableStream<Uint8Array>).getReader());

    abort.abort();
    await upstream.cutOff;
    await new Promise((resolve) => setTimeout(resolve, 50));

    // message_start counted the input (and the first output token); the rest of the reservation is
    // charged on top, so the total is the reservation.
    const usage = gw.usage();
    expect(usage.inputTokens).toBe(100);
    const metered = (usage.inputTokens * 3 + usage.outputTokens * 15) / 1e6;
    expect(usage.costUsd).toBeCloseTo(sonnetReservation(body), 12);
    expect(usage.unmeteredUsd).toBeCloseTo(sonnetReservation(body) - metered, 12);
  });

  it('charges the reservation when the upstream cuts the stream before its usage', async () => {
    const events = streamEvents(
      toMessage({ text: 'cut', usage: { input_tokens: 50, output_tokens: 5 } }, MODEL, counterIds()),
    );
    const cutting = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(frame(events[0]), () => setTimeout(() => res.destroy(), 20));
    });
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => cutting.close(() => resolve())));
    const gw = await gateway({ upstream: `http://127.0.0.1:${(cutting.address() as AddressInfo).port}` });
    const body = messagesBody();

    await post(gw, body).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(gw.usage().costUsd).toBeCloseTo(sonnetReservation(body), 12);
  });

  it('never lets a burst of parallel requests near the cap spend past it: the upstream sees only what fits', async () => {
    // Every answer costs what it reserved at most: its max_tokens of output, a little input.
    const upstream = await model(
      [],
      slowSide(150, (req) => ({ input: 20, output: Number(req.body?.max_tokens) })),
    );
    const counted = await countingProxy(upstream.url);
    const reservation = sonnetReservation(sideBody());
    const cap = reservation * 2.5;
    const gw = await gateway({ upstream: counted.url, maxCostUsd: cap });

    const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(() => post(gw, sideBody())));

    const statuses = answers.map((a) => a.res.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    const refusal = answers.find((a) => a.res.status === 429);
    expect(refusal?.res.headers.get('x-should-retry')).toBe('false');
    expect(JSON.parse(refusal?.text ?? '{}').error.message).toContain("Pilot's cost cap is reached");
    expect(counted.arrived()).toBe(2);
    expect(gw.usage().costUsd).toBeLessThanOrEqual(cap);
    expect(gw.usage()).toMatchObject({ requests: 2, refused: 4 });
    expect(gw.tripped()).toBe(true);
  });

  it('keeps aborted parallel streams under the cap too: each is charged, the rest are refused', {
    timeout: 10_000,
  }, async () => {
    const upstream = await heldUpstream({ input_tokens: 10, output_tokens: 10 });
    const body = messagesBody();
    const cap = sonnetReservation(body) * 2.5;
    const gw = await gateway({ upstream: upstream.url, maxCostUsd: cap });
    const aborts = [1, 2, 3, 4].map(() => new AbortController());
    const started = aborts.map((abort) =>
      fetch(`${gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': gw.agentKey },
        body: JSON.stringify(body),
        signal: abort.signal,
      }),
    );
    // The first two are upstream, holding their streams open; the other two wait.
    const [a, b] = await Promise.all(started.slice(0, 2));
    await firstFrame((a.body as ReadableStream<Uint8Array>).getReader());
    await firstFrame((b.body as ReadableStream<Uint8Array>).getReader());
    expect(upstream.requests()).toBe(2);

    aborts[0].abort();
    aborts[1].abort();
    const [c, d] = await Promise.all(started.slice(2));

    expect([c.status, d.status]).toEqual([429, 429]);
    expect(upstream.requests()).toBe(2);
    expect(gw.usage().costUsd).toBeLessThanOrEqual(cap);
    expect(gw.usage().costUsd).toBeCloseTo(sonnetReservation(body) * 2, 12);
  });
});
