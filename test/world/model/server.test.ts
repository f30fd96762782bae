import { afterEach, describe, expect, it } from 'vitest';
import { lastUserText, toolResults } from './requests.js';
import { bash, fail, type ModelScript, say, write } from './script.js';
import { type ModelServer, startModel } from './server.js';
import { parseSse } from './sse.js';

// What the CLI's agent loop sends, trimmed: its tool definitions, a system entry inside `messages`
// (after the user's prompt), and the working directory stated in that entry.
const AGENT_TOOLS = [{ name: 'Bash' }, { name: 'Write' }, { name: 'Read' }, { name: 'Edit' }];
function agentBody(extra: Record<string, unknown> = {}) {
  return {
    model: 'claude-test',
    max_tokens: 32000,
    stream: true,
    tools: AGENT_TOOLS,
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Fix issue 7' }] },
      { role: 'system', content: 'Primary working directory: /work/space\n - Platform: linux' },
    ],
    ...extra,
  };
}

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(script: ModelScript) {
  server = await startModel(script);
  return server;
}

async function post(path: string, body: unknown) {
  const res = await fetch(`${server?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { res, text: await res.text() };
}

/** Rebuilds the assistant message from a stream the way a client does. */
function assemble(sse: string) {
  const blocks: Array<{ type: string; text?: string; name?: string; json?: string }> = [];
  let stop: unknown;
  for (const { event, data } of parseSse(sse)) {
    const index = data.index as number;
    const delta = data.delta as Record<string, string>;
    if (event === 'content_block_start')
      blocks[index] = { ...(data.content_block as object), json: '' } as never;
    if (event === 'content_block_delta' && delta.type === 'text_delta') blocks[index].text += delta.text;
    if (event === 'content_block_delta' && delta.type === 'input_json_delta')
      blocks[index].json += delta.partial_json;
    if (event === 'message_delta') stop = delta.stop_reason;
  }
  return { blocks, stop };
}

describe('scripted model server', () => {
  it('answers agent-loop requests with the scripted turns in order, then "Done."', async () => {
    await start([say('Looking.'), bash('npm test')]);
    const first = assemble((await post('/v1/messages?beta=true', agentBody())).text);
    const second = assemble((await post('/v1/messages?beta=true', agentBody())).text);
    const third = assemble((await post('/v1/messages?beta=true', agentBody())).text);
    expect(first).toMatchObject({ blocks: [{ type: 'text', text: 'Looking.' }], stop: 'end_turn' });
    expect(second.stop).toBe('tool_use');
    expect(second.blocks[0]).toMatchObject({ type: 'tool_use', name: 'Bash' });
    expect(JSON.parse(second.blocks[0].json ?? '')).toEqual({
      command: 'npm test',
      description: 'Run a command',
    });
    expect(third).toMatchObject({ blocks: [{ type: 'text', text: 'Done.' }], stop: 'end_turn' });
  });

  it('serves SSE with the event-stream content type', async () => {
    await start([say('hi')]);
    const { res } = await post('/v1/messages', agentBody());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
  });

  it('answers a non-streaming request with the JSON message', async () => {
    await start([say('plain')]);
    const { res, text } = await post('/v1/messages', agentBody({ stream: false }));
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(text)).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [{ type: 'text', text: 'plain' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 100, output_tokens: 20 },
    });
  });

  it('gives side requests a short answer without using up the script', async () => {
    const model = await start([say('the real turn')]);
    // Shapes from the CLI: a tool-free helper (session title) and the quota probe.
    const title = await post('/v1/messages', {
      model: 'small',
      max_tokens: 512,
      messages: [{ role: 'user', content: 'Generate a title for: Fix issue 7' }],
    });
    const probe = await post('/v1/messages', {
      model: 'm',
      max_tokens: 1,
      messages: [{ role: 'user', content: 'quota' }],
    });
    expect(JSON.parse(title.text).content[0].text).toBe('OK');
    expect(JSON.parse(probe.text).content[0].text).toBe('OK');
    expect(model.remaining()).toBe(1);
    expect(model.requests.map((r) => r.isAgentTurn)).toEqual([false, false]);
  });

  it('counts a main-loop request run with no tools (--tools "") as an agent turn', async () => {
    const model = await start([say('planned')]);
    const { text } = await post('/v1/messages', agentBody({ tools: [], stream: false }));
    expect(JSON.parse(text).content[0].text).toBe('planned');
    expect(model.requests[0].isAgentTurn).toBe(true);
  });

  it('refuses with an Anthropic error body and x-should-retry: false', async () => {
    await start([fail(401, 'authentication_error', 'invalid x-api-key')]);
    const { res, text } = await post('/v1/messages', agentBody());
    expect(res.status).toBe(401);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(JSON.parse(text)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
  });

  it('lets an error turn ask to be retried', async () => {
    await start([fail(529, 'overloaded_error', 'busy', true)]);
    const { res } = await post('/v1/messages', agentBody());
    expect(res.status).toBe(529);
    expect(res.headers.get('x-should-retry')).toBe('true');
  });

  it('resolves a relative file path against the working directory the CLI states', async () => {
    await start([write('src/a.ts', 'export {};\n')]);
    const { blocks } = assemble((await post('/v1/messages', agentBody())).text);
    expect(JSON.parse(blocks[0].json ?? '')).toEqual({
      file_path: '/work/space/src/a.ts',
      content: 'export {};\n',
    });
  });

  it('hands a function turn the recorded request', async () => {
    await start([(req) => say(`you said: ${lastUserText(req)}`)]);
    const { blocks } = assemble((await post('/v1/messages', agentBody())).text);
    expect(blocks[0].text).toBe('you said: Fix issue 7');
  });

  it('turns a throwing script function into a 500 that is not retried', async () => {
    await start([
      () => {
        throw new Error('bad script');
      },
    ]);
    const { res, text } = await post('/v1/messages', agentBody());
    expect(res.status).toBe(500);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(text).toContain('bad script');
  });

  it('answers the preflight, counts tokens, lists models (the sweep outage probe) and 404s anything else', async () => {
    await start([]);
    const head = await fetch(`${server?.url}/api/hello`, { method: 'HEAD' });
    const get = await fetch(`${server?.url}/api/hello`);
    const short = await post('/v1/messages/count_tokens', { messages: [{ role: 'user', content: 'abcd' }] });
    const long = await post('/v1/messages/count_tokens', {
      messages: [{ role: 'user', content: 'abcd'.repeat(100) }],
    });
    const models = await fetch(`${server?.url}/v1/models`);
    const other = await fetch(`${server?.url}/v1/files`);
    expect([head.status, get.status, models.status]).toEqual([200, 200, 200]);
    const tokens = [JSON.parse(short.text).input_tokens, JSON.parse(long.text).input_tokens];
    expect(tokens[0]).toBeGreaterThan(0);
    expect(tokens[1]).toBeGreaterThan(tokens[0]);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('records requests with path, query, headers and parsed body', async () => {
    const model = await start([]);
    await fetch(`${model.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: { 'x-api-key': 'k1', 'content-type': 'application/json' },
      body: JSON.stringify(agentBody()),
    });
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/messages',
      query: '?beta=true',
      isAgentTurn: true,
      headers: { 'x-api-key': 'k1' },
      body: { model: 'claude-test' },
    });
    expect(model.agentRequests()).toHaveLength(1);
  });

  it('holds a delayed turn back, and closing the server cuts it off instead of waiting', async () => {
    const model = await start([say('late', { delayMs: 60_000 })]);
    const pending = fetch(`${model.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(agentBody()),
    }).then(
      (res) => res.text(),
      (err: unknown) => err,
    );
    await expect.poll(() => model.requests.length).toBe(1);
    await model.close();
    server = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('reading recorded requests', () => {
  const req = (messages: unknown[]) => ({
    method: 'POST',
    path: '/v1/messages',
    query: '',
    headers: {},
    body: { messages },
    isAgentTurn: true,
    at: 0,
  });

  it('takes the latest user turn from the last user message, not the trailing system entry', () => {
    const r = req([
      { role: 'user', content: 'old' },
      { role: 'assistant', content: 'ok' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'new' },
          { type: 'text', text: 'prompt' },
        ],
      },
      { role: 'system', content: 'env' },
    ]);
    expect(lastUserText(r)).toBe('new\nprompt');
  });

  it('lists the tool results that came back with the name of the tool that was called', () => {
    const r = req([
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 't1',
            content: [{ type: 'text', text: 'hi' }],
            is_error: false,
          },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't2', name: 'Write', input: {} }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: 't2', content: 'denied', is_error: true }],
      },
    ]);
    expect(toolResults(r)).toEqual([
      { tool_use_id: 't1', name: 'Bash', content: 'hi', is_error: false },
      { tool_use_id: 't2', name: 'Write', content: 'denied', is_error: true },
    ]);
  });

  it('collects every string the model was sent for leak checks', async () => {
    const model = await startModel([]);
    try {
      await fetch(`${model.url}/v1/messages`, {
        method: 'POST',
        body: JSON.stringify(agentBody({ system: [{ type: 'text', text: 'secret "ghp_abc" here' }] })),
      });
      expect(model.allText()).toContain('secret "ghp_abc" here');
      expect(model.allText()).toContain('Fix issue 7');
    } finally {
      await model.close();
    }
  });
});
