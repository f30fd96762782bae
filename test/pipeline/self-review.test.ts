// The self-review's answer is parsed at the edge, and the diff it reads never follows a symlink the
// agent planted toward Pilot's secrets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGit } from '../../src/git/git.js';
import { finalDiff, parseVerdict } from '../../src/pipeline/self-review.js';

describe('parseVerdict', () => {
  it('reads the JSON object out of the answer', () => {
    expect(parseVerdict('Sure:\n{"addresses_issue": false, "risks": ["r"], "untested": []}\n')).toEqual({
      addressesIssue: false,
      risks: ['r'],
      untested: [],
    });
    expect(parseVerdict('{"addresses_issue": true}')).toEqual({
      addressesIssue: true,
      risks: [],
      untested: [],
    });
  });

  it('says why an answer is not a verdict', () => {
    expect(parseVerdict('looks fine to me')).toBe('the answer held no JSON object');
    expect(parseVerdict('{"addresses_issue": "yes"}')).toMatch(/expected fields/);
    expect(parseVerdict('{nope}')).toMatch(/did not parse/);
  });
});

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('finalDiff', () => {
  it('shows new files and changes against the base, and a planted symlink only as its target name', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pilot-diff-'));
    const secret = mkdtempSync(path.join(tmpdir(), 'pilot-secret-'));
    dirs.push(dir, secret);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFileSync(path.join(dir, 'a.txt'), 'one\n');
    git('add', 'a.txt');
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
    writeFileSync(path.join(dir, 'a.txt'), 'two\n');
    writeFileSync(path.join(dir, 'new.js'), 'export const x = 1;\n');
    writeFileSync(path.join(secret, 'key'), 'TOP-SECRET-VALUE\n');
    symlinkSync(path.join(secret, 'key'), path.join(dir, 'link'));
    const diff = await finalDiff(createGit(dir), 'main');
    expect(diff).toContain('+two');
    expect(diff).toContain('+export const x = 1;');
    expect(diff).toContain(path.join(secret, 'key'));
    expect(diff).not.toContain('TOP-SECRET-VALUE');
  });
});
