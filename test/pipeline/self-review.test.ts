// The self-review's answer is parsed at the edge, and the diff it reads never follows a symlink the
// agent planted toward Pilot's secrets.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/agent/gateway/index.js';
import { createGit } from '../../src/git/git.js';
import { finalDiff, parseVerdict, selfReview } from '../../src/pipeline/self-review.js';
import { gateway, MODEL, model, REAL_KEY } from '../agent/gateway-helpers.js';

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

describe('selfReview through the real gateway', () => {
  const handle = (gw: Gateway) => ({
    url: gw.url,
    agentKey: gw.agentKey,
    spentUsd: () => gw.usage().costUsd,
  });
  const asked = {
    model: MODEL,
    issue: { title: 'Add farewell', body: 'Please.' },
    diff: '+bye',
    nonce: 'n1',
  };

  it('is one tool-less call, metered by the gateway and counted as the run’s cost', async () => {
    const verdict = '{"addresses_issue": true, "risks": [], "untested": ["edge cases"]}';
    const upstream = await model([], {
      sideAnswer: () => ({ text: verdict, usage: { input_tokens: 100_000, output_tokens: 1000 } }),
    });
    const gw = await gateway({ upstream: upstream.url });
    const { review, costUsd } = await selfReview({ ...asked, gateway: handle(gw) });
    expect(review.verdict).toEqual({ addressesIssue: true, risks: [], untested: ['edge cases'] });
    // Sonnet list price: 100,000 in at $3/M + 1,000 out at $15/M.
    expect(costUsd).toBeCloseTo(0.315, 6);
    expect(gw.usage().costUsd).toBeCloseTo(0.315, 6);
    const [req] = upstream.requests;
    expect(req.body.tools).toBeUndefined();
    expect(req.headers['x-api-key']).toBe(REAL_KEY);
  });

  it('spends nothing past the cap: the refusal becomes the note, not a verdict', async () => {
    const upstream = await model([], { sideAnswer: () => ({ text: '{"addresses_issue": false}' }) });
    // A cap too small for the request's worst case: the gateway refuses before the upstream is asked.
    const gw = await gateway({ upstream: upstream.url, maxCostUsd: 0.0001 });
    const { review, costUsd } = await selfReview({ ...asked, gateway: handle(gw) });
    expect(review.verdict).toBeUndefined();
    expect(review.note).toMatch(/429.*cost cap/);
    expect(costUsd).toBe(0);
    expect(upstream.requests).toHaveLength(0);
  });
});
