// The real `claude` CLI through the model gateway to the scripted model server: the cost cap stops a
// run for good, and the agent never holds the real key.
import { describe, expect, it } from 'vitest';
import { bash, say } from '../world/model/index.js';
import { toolResults } from '../world/model/requests.js';
import { REAL_KEY, rig, runClaude } from './gateway-helpers.js';

/**
 * One turn that costs at least $0.30 whatever model the CLI asks for (Haiku prices are the lowest).
 * Not a million input tokens: that fills the context window and the CLI starts compacting instead.
 */
const EXPENSIVE = { usage: { input_tokens: 150_000, output_tokens: 30_000 } };

describe('the model gateway with the real claude CLI', () => {
  it('stops the run at the cost cap: one refusal, no retries, nothing more upstream', {
    timeout: 45_000,
  }, async () => {
    const r = await rig(
      [
        { ...bash('echo one', 'First step'), ...EXPENSIVE },
        bash('echo two', 'Second step'),
        bash('echo three', 'Third step'),
        say('All done.'),
      ],
      // Haiku: one turn's reservation (32000 output tokens at $5/MTok, plus the input) fits under the
      // cap, so the first turn goes through and its answer crosses it.
      { maxCostUsd: 0.25 },
    );

    const run = await runClaude(r, 'Do three steps', ['--model', 'haiku', '--allowedTools', 'Bash(echo:*)']);

    expect(run.exitCode).toBe(1);
    expect(run.result).toMatchObject({ is_error: true, terminal_reason: 'api_error', api_error_status: 429 });
    expect(run.result?.result).toContain("Pilot's cost cap is reached");
    expect(r.gateway.tripped()).toBe(true);
    // Mid-run: the first step ran before the cap stopped the second.
    const toolResult = run.lines.find((l) => l.type === 'user');
    expect(JSON.stringify(toolResult)).toMatch(/"content":"one"/);
    // The first turn went through and crossed the cap; the CLI's next request was refused once and
    // the CLI gave up instead of retrying.
    expect(r.model.agentRequests()).toHaveLength(1);
    expect(r.gateway.usage()).toMatchObject({
      requests: 1,
      refused: 1,
      inputTokens: 150_000,
      outputTokens: 30_000,
    });
    expect(r.model.remaining()).toBe(3);
    expect(r.lines.join('\n')).toContain('cost cap reached');
  });

  it('shows the agent only its per-run key: `env` in the Bash tool never prints the real one', {
    timeout: 45_000,
  }, async () => {
    const r = await rig([bash('env', 'Show the environment'), say('Seen.')], { maxCostUsd: 10 });

    const run = await runClaude(r, 'Print the environment', ['--allowedTools', 'Bash(env:*)']);

    expect(run.result).toMatchObject({ is_error: false });
    const [envResult] = toolResults(r.model.agentRequests()[1]);
    expect(envResult).toMatchObject({ name: 'Bash', is_error: false });
    expect(envResult.content).toContain(`ANTHROPIC_API_KEY=${r.gateway.agentKey}`);
    expect(envResult.content).toContain(`ANTHROPIC_BASE_URL=${r.gateway.url}`);
    // Nothing the model was sent holds the real key, and every request upstream was made with it.
    expect(r.model.allText()).not.toContain(REAL_KEY);
    expect(r.model.requests.length).toBeGreaterThan(0);
    // The CLI needed no route the gateway refuses, and nothing went wrong on the way; the one
    // rewrite is its 128000-token max_tokens, lowered to the gateway's ceiling.
    expect(r.lines).toEqual(['gateway: lowered max_tokens to 32000 (asked for 128000) (logged once)']);
    for (const req of r.model.requests) {
      expect(req.headers['x-api-key']).toBe(REAL_KEY);
      expect(JSON.stringify(req.headers)).not.toContain(r.gateway.agentKey);
    }
  });

  it('carries an OAuth token end to end: the upstream gets the Bearer token, the agent and the model never see it', {
    timeout: 45_000,
  }, async () => {
    const token = 'sk-ant-oat01-subscription-token-held-by-pilot-only-000000';
    const r = await rig([bash('env', 'Show the environment'), say('Seen.')], {
      maxCostUsd: 10,
      credential: { oauthToken: token },
    });

    const run = await runClaude(r, 'Print the environment', ['--allowedTools', 'Bash(env:*)']);

    expect(run.result).toMatchObject({ is_error: false });
    const [envResult] = toolResults(r.model.agentRequests()[1]);
    expect(envResult.content).toContain(`ANTHROPIC_API_KEY=${r.gateway.agentKey}`);
    expect(envResult.content).not.toContain(token);
    expect(JSON.stringify(run.lines)).not.toContain(token);
    expect(r.model.allText()).not.toContain(token);
    expect(r.model.requests.length).toBeGreaterThan(0);
    for (const req of r.model.requests) {
      expect(req.headers.authorization).toBe(`Bearer ${token}`);
      expect(req.headers['x-api-key']).toBeUndefined();
      expect(String(req.headers['anthropic-beta'])).toContain('oauth-2025-04-20');
    }
    expect(r.gateway.usage().requests).toBeGreaterThan(0);
  });
});
