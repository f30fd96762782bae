import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeLeftovers, findLeftovers } from './leftovers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake /proc: pid → [comm, state, pgrp, uid, environment]. */
function fakeProc(procs: Record<number, [string, string, number, number, string[]]>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-proc-'));
  dirs.push(dir);
  for (const [pid, [comm, state, pgrp, uid, env]] of Object.entries(procs)) {
    mkdirSync(path.join(dir, pid));
    writeFileSync(path.join(dir, pid, 'stat'), `${pid} (${comm}) ${state} 1 ${pgrp} ${pgrp} 0 -1\n`);
    writeFileSync(path.join(dir, pid, 'status'), `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    writeFileSync(path.join(dir, pid, 'environ'), env.map((e) => `${e}\0`).join(''));
  }
  return dir;
}

describe('what the runner would find after a step', () => {
  it('names processes left in the step group (zombies too) and ones that left it but carry the tracking id', () => {
    const proc = fakeProc({
      100: ['node', 'S', 100, 1001, []],
      101: ['bwrap', 'Z', 100, 1002, []],
      200: ['sleep (x)', 'S', 200, 1002, ['RUNNER_TRACKING_ID=github_a']],
      300: ['sleep', 'S', 300, 1002, ['RUNNER_TRACKING_ID=github_b']],
    });
    expect(describeLeftovers(findLeftovers(100, 'github_a', proc)).sort()).toEqual([
      'pid 100 (node) S uid 1001, process group',
      'pid 101 (bwrap) Z uid 1002, process group',
      'pid 200 (sleep (x)) S uid 1002, tracking id',
    ]);
  });

  it('finds nothing when the step left nothing', () => {
    const proc = fakeProc({ 300: ['sleep', 'S', 300, 0, ['RUNNER_TRACKING_ID=github_b']] });
    expect(findLeftovers(100, 'github_a', proc)).toEqual([]);
  });
});
