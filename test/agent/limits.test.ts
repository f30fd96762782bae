// Limits of one agent run, with the real claude CLI against the scripted model: the deadline stops
// the whole process tree (even commands that left the group), max turns and budgets are reported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AgentRequest,
  agentDeadline,
  claudeArgs,
  pidsWithEnv,
  RUN_MARKER_ENV,
  runClaude,
} from '../../src/agent/claude.js';
import {
  bash,
  CLAUDE_BIN,
  claudeEnv,
  type ModelServer,
  say,
  startModel,
  type Turn,
  toolResults,
  write,
} from '../world/model/index.js';

/**
 * Commands the Bash tool leaves running: a background task the CLI tracks, and a daemon (double
 * fork + setsid, its own session) that the CLI does not know about.
 */
const SLEEPERS: Turn = {
  tools: [
    { name: 'Bash', input: { command: "sh -c 'sleep 600'", description: 'wait', run_in_background: true } },
    {
      name: 'Bash',
      input: { command: "setsid sh -c 'sleep 601'", description: 'wait', run_in_background: true },
    },
  ],
};

let model: ModelServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (dir) for (const pid of pidsWithEnv('HOME', path.join(dir, 'home'))) process.kill(pid, 'SIGKILL');
  await model?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  model = undefined;
  dir = undefined;
});

async function setup(script: Parameters<typeof startModel>[0]) {
  model = await startModel(script);
  dir = mkdtempSync(path.join(tmpdir(), 'pilot-limits-'));
  const cwd = path.join(dir, 'repo');
  execFileSync('git', ['init', '-q', cwd]);
  const home = path.join(dir, 'home');
  const request = (extra: Partial<AgentRequest> = {}): AgentRequest => ({
    claudePath: CLAUDE_BIN,
    cwd,
    prompt: 'Do the task.',
    systemPrompt: 'You are Pilot.',
    env: claudeEnv({ baseUrl: (model as ModelServer).url, home }),
    maxTurns: 10,
    allowedTools: ['Read', 'Write', 'Bash'],
    deadline: Date.now() + 60_000,
    ...extra,
  });
  return { cwd, home, request };
}

/** Processes whose environment says they belong to this test's agent home. */
function survivors(home: string): string[] {
  return pidsWithEnv('HOME', home).map((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      return String(pid);
    }
  });
}

describe('the agent deadline', () => {
  it('stops the agent and every command it started, including ones in their own session', async () => {
    const { home, request } = await setup([
      SLEEPERS,
      // The model "thinks" for a minute: the deadline comes first.
      say('Still working.', { delayMs: 60_000 }),
    ]);
    const result = await runClaude(request({ deadline: Date.now() + 15_000, killGraceMs: 500 }));

    expect(result.ok).toBe(false);
    expect(result.stopReason).toBe('timeout');
    expect(result.errorText).toContain('deadline');
    expect(model?.agentRequests().length).toBe(2); // the Bash commands ran, the second turn was pending
    const started = toolResults(model?.agentRequests()[1] as never);
    expect(started.map((r) => r.is_error)).toEqual([false, false]);
    expect(pidsWithEnv('HOME', home)).toEqual([]);
    expect(survivors(home)).toEqual([]);
  });

  it('is the job timeout minus 5 minutes, or half of a job shorter than 10 minutes', () => {
    expect(agentDeadline(0, 60)).toBe(55 * 60_000);
    expect(agentDeadline(1000, 6)).toBe(1000 + 3 * 60_000);
  });
});

describe('reported limits', () => {
  it('reports max turns as such, with the number of turns', async () => {
    const { request } = await setup([write('a.txt', 'a\n'), write('b.txt', 'b\n'), write('c.txt', 'c\n')]);
    const result = await runClaude(request({ maxTurns: 2 }));
    expect(result.stopReason).toBe('max_turns');
    expect(result.ok).toBe(false);
    expect(result.numTurns).toBeGreaterThanOrEqual(2);
  });

  it('passes --max-budget-usd and a fixed --session-id for a fresh session, --resume for a follow-up', () => {
    const base = {
      claudePath: 'claude',
      cwd: '/w',
      prompt: 'p',
      systemPrompt: 's',
      env: {},
      maxTurns: 3,
      allowedTools: ['Read'],
      deadline: 0,
    };
    const fresh = claudeArgs({ ...base, maxCostUsd: 2.5, sessionId: 'abc' });
    expect(fresh.join(' ')).toContain('--max-budget-usd 2.5');
    expect(fresh.join(' ')).toContain('--session-id abc');
    const resumed = claudeArgs({ ...base, sessionId: 'abc', resumeSessionId: 'abc' });
    expect(resumed.join(' ')).toContain('--resume abc');
    expect(resumed).not.toContain('--session-id');
  });

  it('lists permission denials from the result', async () => {
    const { request } = await setup([bash('curl https://example.com'), say('Could not fetch.')]);
    const result = await runClaude(request({ allowedTools: ['Read'] }));
    expect(result.permissionDenials.map((d) => d.tool_name)).toContain('Bash');
  });

  it('counts only the cost of this run after a resume (the CLI reports the session total)', async () => {
    const { request } = await setup([say('First.'), say('Second.')]);
    const first = await runClaude(request({ sessionId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' }));
    expect(first.costUsd).toBeGreaterThan(0);
    const second = await runClaude(
      request({ resumeSessionId: first.sessionId, priorSessionCostUsd: first.sessionCostUsd }),
    );
    expect(second.sessionId).toBe('1b4e28ba-2fa1-41d2-883f-0016d3cca427');
    expect(second.sessionCostUsd).toBeGreaterThan(first.sessionCostUsd);
    expect(second.costUsd).toBeCloseTo(second.sessionCostUsd - first.sessionCostUsd, 10);
  });
});

it('finds nothing for a marker no process carries', () => {
  expect(pidsWithEnv(RUN_MARKER_ENV, 'no-such-run')).toEqual([]);
  expect(readdirSync('/proc').length).toBeGreaterThan(0);
});
