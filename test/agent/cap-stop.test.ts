// A run the gateway's cost cap ended is reported as a budget stop, not as the API error the CLI saw.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentResult } from '../../src/agent/claude.js';
import type { CommandResult } from '../../src/agent/isolation/exec.js';
import { runIsolated, stoppedByCap } from '../../src/agent/isolation/index.js';
import { FAKE_API_KEY, type ModelServer, say, startModel } from '../world/model/index.js';

const failed: AgentResult = {
  ok: false,
  exitCode: 1,
  stopReason: 'api_error',
  numTurns: 2,
  costUsd: 0.9,
  sessionCostUsd: 0.9,
  resultText: "API Error: 429 Pilot's cost cap is reached",
  permissionDenials: [],
  errorText: "Pilot's cost cap is reached (model API answered 429)",
  durationMs: 10,
};

describe('a run stopped by the cost cap', () => {
  it('turns the refusal the CLI saw as an API error into a budget stop', () => {
    expect(stoppedByCap(failed, true).stopReason).toBe('budget');
  });

  it('leaves other endings alone: untripped, finished, cancelled or timed out', () => {
    expect(stoppedByCap(failed, false).stopReason).toBe('api_error');
    const done = { ...failed, ok: true, stopReason: 'completed' as const };
    expect(stoppedByCap(done, true)).toEqual(done);
    for (const stopReason of ['cancelled', 'timeout'] as const)
      expect(stoppedByCap({ ...failed, stopReason }, true).stopReason).toBe(stopReason);
  });
});

describe('runIsolated with the real gateway', () => {
  let temp: string | undefined;
  let model: ModelServer | undefined;
  afterEach(async () => {
    await model?.close();
    if (temp) rmSync(temp, { recursive: true, force: true });
    temp = undefined;
    model = undefined;
  });

  /** Asks through the gateway the way the CLI does; returns the HTTP status. */
  async function ask(env: Record<string, string>): Promise<number> {
    const res = await fetch(`${env.ANTHROPIC_BASE_URL}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': env.ANTHROPIC_API_KEY },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 1000,
        tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'go' }],
      }),
    });
    await res.text();
    return res.status;
  }

  it('reports budget when the agent failed after the gateway tripped', async () => {
    temp = mkdtempSync(path.join(tmpdir(), 'pilot-cap-'));
    model = await startModel([
      say('Expensive.', { usage: { input_tokens: 150_000, output_tokens: 30_000 } }),
      say('Never.'),
    ]);
    const run = async (): Promise<CommandResult> => ({ code: 1, stdout: '', stderr: 'no' });
    const statuses: number[] = [];
    const result = await runIsolated(
      {
        workspace: path.join(temp, 'work', 'r', 'r'),
        runnerTemp: path.join(temp, 'work', '_temp'),
        claudePath: '/bin/true',
        model: {
          anthropicApiKey: FAKE_API_KEY,
          anthropicBaseUrl: model.url,
          maxCostUsd: 0.05,
          model: 'claude-sonnet-4-5',
        },
        agentEnvNames: [],
        requireIsolation: false,
        report: { layers: [] },
        probe: { euid: 1001, env: {}, run },
      },
      async (launch) => {
        statuses.push(await ask(launch.env), await ask(launch.env));
        return failed;
      },
    );
    expect(statuses).toEqual([200, 429]);
    expect(model.agentRequests()).toHaveLength(1);
    expect(result.stopReason).toBe('budget');
  });
});
