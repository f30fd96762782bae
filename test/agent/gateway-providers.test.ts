// Bedrock and Vertex behind the gateway, request by request: the signature the emulator checks can
// fail, nothing of the agent's can widen what passes (another route, project, model or beta flag),
// and Bedrock's event-stream framing is metered however it is split.
import { EventStreamCodec } from '@smithy/eventstream-codec';
import aws4 from 'aws4';
import { describe, expect, it } from 'vitest';
import type { TokenCounts } from '../../src/agent/gateway/prices.js';
import { eventStreamMeter } from '../../src/agent/gateway/providers/eventstream.js';
import { sigV4Refusal } from '../world/cloud/sigv4.js';
import { say } from '../world/model/index.js';
import {
  AWS_KEYS,
  AWS_REGION,
  bedrockRig,
  postAs,
  VERTEX_PROJECT,
  VERTEX_REGION,
  vertexRig,
} from './gateway-cloud.js';

const HAIKU = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';
const INVOKE = `/model/${HAIKU}/invoke-with-response-stream`;

function bedrockBody(extra: Record<string, unknown> = {}) {
  return {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 1000,
    messages: [{ role: 'user', content: 'hello' }],
    ...extra,
  };
}

describe('Bedrock behind the gateway', () => {
  it('is refused by the emulator when the gateway signs with the wrong secret (the check can fail)', async () => {
    const r = await bedrockRig([say('hi')], {
      maxCostUsd: 10,
      keys: { ...AWS_KEYS, secretAccessKey: 'not-the-secret' },
    });

    const { res } = await postAs(r.gateway, INVOKE, bedrockBody());

    expect(res.status).toBe(403);
    expect(r.emulator.refused).toEqual(['signature mismatch']);
    expect(r.model.requests).toHaveLength(0);
  });

  it('finds a body changed after signing, or a signature older than five minutes', () => {
    const body = Buffer.from(JSON.stringify(bedrockBody()));
    const signed = aws4.sign(
      { host: '127.0.0.1:1', method: 'POST', path: INVOKE, service: 'bedrock', region: AWS_REGION, body },
      AWS_KEYS,
    );
    const headers = Object.fromEntries(
      Object.entries(signed.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    const req = { method: 'POST', rawPath: signed.path ?? INVOKE, headers, body };
    const expected = { keys: AWS_KEYS, region: AWS_REGION, service: 'bedrock' };

    expect(sigV4Refusal(req, expected)).toBeUndefined();
    expect(sigV4Refusal({ ...req, body: Buffer.from(`${body} `) }, expected)).toBe('signature mismatch');
    expect(sigV4Refusal(req, { ...expected, now: Date.now() + 10 * 60_000 })).toBe('signature too old');
  });

  it('signs the model id as AWS SDKs send it (`:` encoded), so the upstream can check the same path', async () => {
    const r = await bedrockRig([say('hi')], { maxCostUsd: 10 });

    const { res } = await postAs(r.gateway, INVOKE, bedrockBody());

    expect(res.status).toBe(200);
    expect(r.emulator.accepted[0].rawPath).toBe(
      `/model/${encodeURIComponent(HAIKU)}/invoke-with-response-stream`,
    );
  });

  it('drops a beta flag smuggled in the body as it does one in the header', async () => {
    const r = await bedrockRig([say('hi')], { maxCostUsd: 10 });

    await postAs(
      r.gateway,
      INVOKE,
      bedrockBody({ anthropic_beta: ['mcp-client-2025-04-04', 'claude-code-20250219'] }),
      {
        'anthropic-beta': 'code-execution-2025-08-25',
      },
    );

    expect(r.emulator.accepted[0].json.anthropic_beta).toEqual(['claude-code-20250219']);
    expect(r.lines.join('\n')).toContain('dropped anthropic-beta mcp-client-2025-04-04');
  });

  it('refuses a request without the per-run key, another Bedrock operation, and a model the run may not use', async () => {
    const r = await bedrockRig([say('hi')], { maxCostUsd: 10 });

    const noKey = await postAs(r.gateway, INVOKE, bedrockBody(), { 'x-api-key': 'guessed' });
    const converse = await postAs(r.gateway, `/model/${HAIKU}/converse`, bedrockBody());
    const opus = await postAs(
      r.gateway,
      '/model/us.anthropic.claude-sonnet-4-5-20250929-v1:0/invoke',
      bedrockBody(),
    );

    expect(noKey.res.status).toBe(401);
    expect(converse.res.status).toBe(404);
    // Without a configured model the run may use the CLI's default (Opus) and Haiku: Sonnet is refused.
    expect(opus.res.status).toBe(403);
    expect(r.emulator.accepted).toHaveLength(0);
  });
});

describe('Vertex behind the gateway', () => {
  it('refuses another project or region than the configured one; the upstream never sees it', async () => {
    const r = await vertexRig([say('hi')], { maxCostUsd: 10 });
    const body = { anthropic_version: 'vertex-2023-10-16', max_tokens: 100, messages: [], stream: true };
    const model = 'models/claude-haiku-4-5@20251001:streamRawPredict';

    const other = await postAs(
      r.gateway,
      `/projects/someone-elses/locations/${VERTEX_REGION}/publishers/anthropic/${model}`,
      body,
    );
    const region = await postAs(
      r.gateway,
      `/projects/${VERTEX_PROJECT}/locations/europe-west1/publishers/anthropic/${model}`,
      body,
    );
    const mine = await postAs(
      r.gateway,
      `/projects/${VERTEX_PROJECT}/locations/${VERTEX_REGION}/publishers/anthropic/${model}`,
      body,
    );

    expect([other.res.status, region.res.status, mine.res.status]).toEqual([404, 404, 200]);
    expect(r.emulator.accepted).toHaveLength(1);
    expect(r.gateway.usage().costUsd).toBeGreaterThan(0);
  });

  it('explains a refused Google token once, answers 502 when none can be had, and charges neither', async () => {
    const stale = await vertexRig([say('hi')], { maxCostUsd: 10, token: 'ya29.stale' });
    const none = await vertexRig([say('hi')], {
      maxCostUsd: 10,
      accessToken: () => Promise.reject(new Error('Could not load the default credentials')),
    });
    const path = `/projects/${VERTEX_PROJECT}/locations/${VERTEX_REGION}/publishers/anthropic/models/claude-haiku-4-5:rawPredict`;
    const body = { anthropic_version: 'vertex-2023-10-16', max_tokens: 100, messages: [] };

    const refused = await postAs(stale.gateway, path, body);
    const unauthenticated = await postAs(none.gateway, path, body);

    expect(refused.res.status).toBe(401);
    expect(refused.res.headers.get('x-should-retry')).toBe('false');
    expect(stale.lines.join('\n')).toContain('Vertex AI refused the Google access token');
    expect(unauthenticated.res.status).toBe(502);
    expect(none.lines.join('\n')).toContain(
      'could not authenticate upstream: Could not load the default credentials',
    );
    expect(none.emulator.accepted).toHaveLength(0);
    expect(stale.gateway.usage().costUsd + none.gateway.usage().costUsd).toBe(0);
  });
});

describe("the meter for Bedrock's event-stream framing", () => {
  const codec = new EventStreamCodec(
    (b) => Buffer.from(b).toString('utf8'),
    (t) => new Uint8Array(Buffer.from(t)),
  );
  const frame = (event: unknown, type = 'chunk') =>
    Buffer.from(
      codec.encode({
        headers: {
          ':event-type': { type: 'string', value: type },
          ':message-type': { type: 'string', value: 'event' },
        },
        body: new Uint8Array(
          Buffer.from(JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString('base64') })),
        ),
      }),
    );
  const stream = Buffer.concat([
    frame({
      type: 'message_start',
      message: { model: HAIKU, usage: { input_tokens: 100, output_tokens: 1 } },
    }),
    frame({ type: 'message_delta', usage: { output_tokens: 40 } }),
    frame({ type: 'message_stop' }),
  ]);

  function metered(feed: (meter: ReturnType<typeof eventStreamMeter>) => void) {
    const added: TokenCounts[] = [];
    const meter = eventStreamMeter({ model: () => {}, add: (t) => added.push(t) });
    feed(meter);
    meter.end();
    return {
      complete: meter.complete(),
      input: added.reduce((n, t) => n + t.input, 0),
      output: added.reduce((n, t) => n + t.output, 0),
    };
  }

  it('counts the usage however the bytes are split', () => {
    const byteByByte = metered((m) => {
      for (const byte of stream) m.feed(Buffer.from([byte]));
    });
    expect(byteByByte).toEqual({ complete: true, input: 100, output: 40 });
  });

  it('treats a corrupt frame as unmetered, so the answer is charged its reservation', () => {
    const corrupt = Buffer.from(stream);
    corrupt[corrupt.length - 30] ^= 0xff;
    expect(metered((m) => m.feed(corrupt)).complete).toBe(false);
    // Cut off before message_stop: not complete either.
    expect(metered((m) => m.feed(stream.subarray(0, stream.length - 10))).complete).toBe(false);
  });
});
