// The real `claude` CLI on Amazon Bedrock and Google Vertex AI through the model gateway: the gateway
// signs (SigV4) or adds the Google token upstream, meters the streamed usage, holds the cap, and the
// agent never holds a cloud credential.
import { describe, expect, it } from 'vitest';
import { bash, say } from '../world/model/index.js';
import { toolResults } from '../world/model/requests.js';
import {
  AWS_KEYS,
  AWS_REGION,
  bedrockRig,
  CLOUD_SECRETS,
  GOOGLE_TOKEN,
  OIDC_SUBJECT,
  runCli,
  VERTEX_PROJECT,
  VERTEX_REGION,
  vertexRig,
} from './gateway-cloud.js';

/** One turn that costs at least $0.30 whatever model the CLI asks for (as in gateway.e2e.test.ts). */
const EXPENSIVE = { usage: { input_tokens: 150_000, output_tokens: 30_000 } };

function expectNoSecret(text: string): void {
  for (const secret of [...CLOUD_SECRETS, OIDC_SUBJECT]) expect(text).not.toContain(secret);
}

describe('Bedrock through the gateway with the real claude CLI', () => {
  it('runs signed (the emulator verifies SigV4), meters the event-stream usage, and shows the agent no AWS secret', {
    timeout: 60_000,
  }, async () => {
    const r = await bedrockRig([bash('env', 'Show the environment'), say('Seen.')], { maxCostUsd: 10 });

    const run = await runCli(r, 'Print the environment', ['--allowedTools', 'Bash(env:*)']);

    expect(run.result).toMatchObject({ is_error: false });
    expect(r.emulator.refused).toEqual([]);
    expect(r.emulator.accepted.length).toBeGreaterThanOrEqual(2);
    for (const req of r.emulator.accepted) {
      expect(req.rawPath).toMatch(/^\/model\/[^/]+\/invoke-with-response-stream$/);
      expect(req.json.anthropic_version).toBe('bedrock-2023-05-31');
      expect(req.headers['x-amz-security-token']).toBe(AWS_KEYS.sessionToken);
      expect(JSON.stringify(req.headers)).not.toContain(r.gateway.agentKey);
    }
    // The CLI's own beta flags pass in the body; one the gateway does not know is dropped.
    const betas = r.emulator.accepted.flatMap((req) => req.json.anthropic_beta as string[]);
    expect(betas).toContain('interleaved-thinking-2025-05-14');
    expect(betas).not.toContain('tool-search-tool-2025-10-19');
    // The agent's environment names Bedrock and the gateway, and holds no AWS credential.
    const [envResult] = toolResults(r.model.agentRequests()[1]);
    expect(envResult.content).toContain('CLAUDE_CODE_USE_BEDROCK=1');
    expect(envResult.content).toContain(`AWS_REGION=${AWS_REGION}`);
    expect(envResult.content).toContain(`ANTHROPIC_BEDROCK_BASE_URL=${r.gateway.url}`);
    expectNoSecret(envResult.content);
    expectNoSecret(r.model.allText());
    expectNoSecret(JSON.stringify(run.lines));
    expectNoSecret(r.lines.join('\n'));
    // Metered from Bedrock's framing: the scripted turns' tokens, priced.
    const usage = r.gateway.usage();
    expect(usage.requests).toBe(r.emulator.accepted.length);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.costUsd).toBeGreaterThan(0);
    expect(r.gateway).toMatchObject({ provider: 'bedrock', region: AWS_REGION });
  });

  it('stops at the cost cap on Bedrock exactly as on the Anthropic API', { timeout: 60_000 }, async () => {
    const r = await bedrockRig(
      [{ ...bash('echo one', 'First step'), ...EXPENSIVE }, bash('echo two', 'Second step'), say('Done.')],
      { maxCostUsd: 0.25 },
    );

    const run = await runCli(r, 'Do the steps', ['--model', 'haiku', '--allowedTools', 'Bash(echo:*)']);

    expect(run.result).toMatchObject({ is_error: true, api_error_status: 429 });
    expect(run.result?.result).toContain("Pilot's cost cap is reached");
    expect(r.gateway.tripped()).toBe(true);
    expect(r.model.agentRequests()).toHaveLength(1);
    expect(r.gateway.usage()).toMatchObject({ inputTokens: 150_000, outputTokens: 30_000 });
    expect(r.gateway.usage().costUsd).toBeGreaterThan(0.25);
  });

  it('says plainly when the AWS session expired, and the CLI stops', { timeout: 60_000 }, async () => {
    const r = await bedrockRig([say('never')], { maxCostUsd: 10, expired: true });

    const run = await runCli(r, 'Hello', ['--model', 'haiku']);

    expect(run.result).toMatchObject({ is_error: true, api_error_status: 401 });
    // The person reading the run's result learns what to change, not just "403".
    expect(run.result?.result).toContain('role-duration-seconds');
    expect(r.lines.join('\n')).toMatch(/AWS credentials as expired.*role-duration-seconds/);
    expect(r.emulator.refused.length).toBeLessThanOrEqual(3);
    expect(r.gateway.usage().costUsd).toBe(0);
  });
});

describe('Vertex AI through the gateway with the real claude CLI', () => {
  it('runs with the Google token added upstream, metered, and shows the agent no token', {
    timeout: 60_000,
  }, async () => {
    const r = await vertexRig([bash('env', 'Show the environment'), say('Seen.')], { maxCostUsd: 10 });

    const run = await runCli(r, 'Print the environment', ['--allowedTools', 'Bash(env:*)']);

    expect(run.result).toMatchObject({ is_error: false });
    expect(r.emulator.refused).toEqual([]);
    // google-auth-library exchanged the OIDC subject token once for the access token the upstream checks.
    expect(r.emulator.exchanged).toEqual([OIDC_SUBJECT]);
    expect(r.emulator.accepted.length).toBeGreaterThanOrEqual(2);
    for (const req of r.emulator.accepted) {
      expect(req.rawPath).toContain(`/projects/${VERTEX_PROJECT}/locations/${VERTEX_REGION}/`);
      expect(req.headers.authorization).toBe(`Bearer ${GOOGLE_TOKEN}`);
    }
    const [envResult] = toolResults(r.model.agentRequests()[1]);
    expect(envResult.content).toContain('CLAUDE_CODE_USE_VERTEX=1');
    expect(envResult.content).toContain(`ANTHROPIC_VERTEX_BASE_URL=${r.gateway.url}`);
    expectNoSecret(envResult.content);
    expectNoSecret(r.model.allText());
    expectNoSecret(JSON.stringify(run.lines));
    expect(r.gateway.usage().costUsd).toBeGreaterThan(0);
    expect(r.gateway).toMatchObject({ provider: 'vertex', region: VERTEX_REGION });
  });
});
