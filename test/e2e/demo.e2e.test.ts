// The README's first quickstart command must keep working: run `npm run demo` as a user would.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../world/index.js';

describe('npm run demo', () => {
  it('prints the tracking comment, the pull request and its diff from a whole offline flow', () => {
    const env = { ...process.env };
    delete env.ANTHROPIC_API_KEY;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Using the scripted local model');
    expect(run.stdout).toMatch(/Pilot — pull request #\d+ is open/);
    expect(run.stdout).toContain('Closes #1');
    expect(run.stdout).toContain('+++ b/src/farewell.js');
  });

  it('runs without a separate user for the agent when PILOT_DEMO_NO_USER=1, and says so', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PILOT_DEMO_NO_USER: '1' };
    delete env.ANTHROPIC_API_KEY;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('PILOT_DEMO_NO_USER=1: no separate user for the agent');
    expect(run.stdout).toMatch(/Pilot — pull request #\d+ is open/);
    expect(run.stdout).toMatch(/\*\*separate user\*\*: user root has uid 0/);
    expect(run.stdout).not.toContain('pilot-agent (uid');
  });
});
