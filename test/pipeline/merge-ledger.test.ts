import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/ledger/records.js';
import { authentic, limitsOf, sealed } from '../../src/pipeline/merge-ledger.js';
import { stateSeal } from '../../src/security/state-key.js';

const seal = stateSeal({ current: 'k'.repeat(64) }, 'octo-org/sample');
const otherSeal = stateSeal({ current: 'x'.repeat(64) }, 'octo-org/sample');
const NOW = Date.parse('2026-12-03T12:00:00Z');
const deps = { seal, now: () => NOW };
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

function merge(n: number, minutes: number): LedgerRecord & { kind: 'merge' } {
  return { v: 1, kind: 'merge', key: `m${n}`, at: ago(minutes), issue: n, pr: n, sha: 'a'.repeat(40) };
}
function run(n: number, outcome: 'success' | 'failure'): LedgerRecord {
  return {
    ...{ v: 1, kind: 'run', key: `r${n}`, at: ago(n), issue: n, intent: 'run', outcome, costUsd: 0 },
    ...{ tokensIn: 0, tokensOut: 0, turns: 1, durationMs: 1, model: '', runner: '', runId: n, attempt: 1 },
  } as LedgerRecord;
}
function resumed(key: string): LedgerRecord & { kind: 'autopilot' } {
  return { v: 1, kind: 'autopilot', key, at: ago(1), event: 'resumed', by: 'carol' };
}

describe('merge limits from the ledger (newest first)', () => {
  it('counts only sealed merges of the last hour', () => {
    const records = [
      sealed(deps, merge(1, 5)),
      merge(2, 5),
      sealed({ seal: otherSeal }, merge(3, 5)),
      sealed(deps, merge(4, 61)),
    ];
    expect(limitsOf(deps, records).mergesLastHour).toBe(1);
  });

  it('a seal does not survive a changed field', () => {
    const record = sealed(deps, merge(1, 5));
    expect(authentic(deps, record)).toBe(true);
    expect(authentic(deps, { ...record, at: ago(1) })).toBe(false);
  });

  it('keeps the longest failure streak since the last sealed resume; a forged resume closes nothing', () => {
    const streak = [run(1, 'success'), run(2, 'failure'), run(3, 'failure'), run(4, 'failure')];
    expect(limitsOf(deps, streak).streak).toBe(3);
    expect(limitsOf(deps, [resumed('forged'), ...streak]).streak).toBe(3);
    expect(limitsOf(deps, [sealed(deps, resumed('real')), ...streak]).streak).toBe(0);
    expect(limitsOf(deps, [run(0, 'failure'), sealed(deps, resumed('real')), ...streak]).streak).toBe(1);
  });

  it('counts a revert as a failure', () => {
    const revert: LedgerRecord = {
      v: 1,
      kind: 'autopilot',
      key: 'rv',
      at: ago(1),
      event: 'reverted',
      issue: 3,
    };
    expect(limitsOf(deps, [revert, run(2, 'failure')]).streak).toBe(2);
  });
});
