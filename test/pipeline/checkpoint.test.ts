// Checkpoints on a simulated clock against real git: a bare origin and a workspace as checkout leaves it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simulatedTimers } from '../../src/agent/progress.js';
import { createGit } from '../../src/git/git.js';
import { type CheckpointOptions, checkpoint, startCheckpoints } from '../../src/pipeline/checkpoint.js';
import { createGitWorld, type GitWorld } from '../world/git.js';

const BRANCH = 'pilot/issue-7-add-a-greeting';
const TEN_MINUTES = 600_000;

let root: string;
let world: GitWorld;
let warnings: string[];
/** Resolves when the next checkpoint has been pushed (its log line). */
let pushed: () => Promise<string>;
let opts: CheckpointOptions;

beforeEach(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'pilot-checkpoint-'));
  world = await createGitWorld({ root, owner: 'o', repo: 'r', token: 'unused', credentials: 'none' });
  await world.git(['checkout', '-B', BRANCH]);
  warnings = [];
  let waiting: ((line: string) => void) | undefined;
  pushed = () => new Promise((resolve) => (waiting = resolve));
  opts = {
    git: createGit(world.workspace, {
      source: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' },
    }),
    branch: BRANCH,
    issue: 7,
    identity: { name: 'pilot', email: 'pilot@example.com' },
    auth: async () => ({}),
    skip: new Set(),
    log: (line) => waiting?.(line),
    warn: (line) => warnings.push(line),
  };
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function agentWrites(file: string, content: string): void {
  const full = path.join(world.workspace, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
}

async function branchLog(): Promise<string[]> {
  return (await world.branches()).includes(BRANCH) ? world.log(BRANCH) : [];
}

describe('checkpoints while the agent works', () => {
  it("pushes a WIP commit of the agent's work every interval, and nothing when nothing changed", async () => {
    const timers = simulatedTimers();
    const loop = startCheckpoints(TEN_MINUTES, opts, timers);

    agentWrites('src/greeting.js', 'export const greeting = 1;\n');
    let next = pushed();
    timers.advance(TEN_MINUTES);
    await next;
    expect(await world.show(BRANCH, 'src/greeting.js')).toContain('greeting');
    expect((await branchLog())[0]).toBe('WIP: checkpoint (#7)');

    agentWrites('src/greeting.test.js', 'test\n');
    next = pushed();
    timers.advance(TEN_MINUTES);
    await next;
    expect(await world.show(BRANCH, 'src/greeting.test.js')).toBe('test\n');

    // A quiet interval adds no empty commit.
    timers.advance(TEN_MINUTES);
    await loop.stop();
    const log = await branchLog();
    expect(log.filter((s) => s.startsWith('WIP:'))).toHaveLength(2);
    expect(warnings).toEqual([]);
  });

  it('pushes nothing before the first interval and nothing after stop()', async () => {
    const timers = simulatedTimers();
    const loop = startCheckpoints(TEN_MINUTES, opts, timers);
    agentWrites('src/greeting.js', 'early\n');
    timers.advance(TEN_MINUTES - 1);
    await loop.stop();
    timers.advance(10 * TEN_MINUTES);
    expect(await world.branches()).not.toContain(BRANCH);
  });

  it('leaves files that were modified before the agent started out of the checkpoint', async () => {
    agentWrites('package.json', '{"changed":"by the user"}\n');
    agentWrites('src/greeting.js', 'agent\n');
    const sha = await checkpoint({ ...opts, skip: new Set(['package.json']) });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(await world.show(BRANCH, 'package.json')).not.toContain('by the user');
    expect(await world.show(BRANCH, 'src/greeting.js')).toBe('agent\n');
  });

  it('turns a refused push into a warning, never an error', async () => {
    agentWrites('.github/workflows/ci.yml', 'on: push\n');
    const sha = await checkpoint(opts);
    expect(sha).toBeNull();
    expect(warnings.join('\n')).toMatch(/^Checkpoint failed: .*\.github\/workflows\/ci\.yml/s);
    expect(await world.branches()).not.toContain(BRANCH);
  });
});
