// A gate's command gets only the environment it is given (never Pilot's own, never the model's
// variables), and its timeout kills the whole process group, including what it left in the background.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandEnv, runAgentCommand } from '../../src/agent/isolation/agent-command.js';

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

describe('runAgentCommand', () => {
  it('passes only the given environment, without the model’s variables', async () => {
    process.env.PILOT_TEST_PARENT_ONLY = 'parent-secret';
    try {
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: '/tmp',
        ANTHROPIC_API_KEY: 'sk-ant-pilot-x',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      };
      const out = await runAgentCommand({ run: 'env; exit 3', cwd: '/tmp', env, timeoutMs: 10_000 });
      expect(out.exitCode).toBe(3);
      expect(out.output).toContain('CI=true');
      expect(out.output).toContain('HOME=/tmp');
      expect(out.output).not.toContain('parent-secret');
      expect(out.output).not.toContain('ANTHROPIC');
    } finally {
      delete process.env.PILOT_TEST_PARENT_ONLY;
    }
  });

  it('kills the whole group at the timeout, background children included', async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const out = await runAgentCommand({
      run: 'sleep 30 & echo "bg=$!"; sleep 30',
      cwd: '/tmp',
      env,
      timeoutMs: 500,
    });
    expect(out.timedOut).toBe(true);
    expect(out.exitCode).toBeNull();
    expect(out.durationMs).toBeLessThan(10_000);
    const bg = Number(/bg=(\d+)/.exec(out.output)?.[1]);
    expect(bg).toBeGreaterThan(0);
    expect(alive(bg)).toBe(false);
  });

  it('does not wait for a background child that outlives a finished command', async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const out = await runAgentCommand({
      run: '(sleep 30 &) ; echo done',
      cwd: '/tmp',
      env,
      timeoutMs: 20_000,
    });
    expect(out.exitCode).toBe(0);
    expect(out.output).toContain('done');
    expect(out.durationMs).toBeLessThan(10_000);
  });

  it('keeps only the tail of a long output', async () => {
    const out = await runAgentCommand({
      run: 'seq 1 100000',
      cwd: '/tmp',
      env: commandEnv({ PATH: process.env.PATH ?? '' }),
      timeoutMs: 10_000,
      keepBytes: 100,
    });
    expect(out.output.length).toBeLessThanOrEqual(100);
    expect(out.output.trimEnd().endsWith('100000')).toBe(true);
  });
});
