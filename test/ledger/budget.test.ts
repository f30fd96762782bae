// Budgets on the ledger: the pure verdict (which budget, spend, reset), and what the checks read
// and claim against the GitHub emulator's Git Data routes (pending runs, leases in flight, one
// warning per period however many runs race for it).
import { afterEach, describe, expect, it } from 'vitest';
import { assessBudget, describeLine, overBudgetFlag, resetOf, warningKey } from '../../src/ledger/budget.js';
import { claimBudgetEvent, readSpend, warningRecord } from '../../src/ledger/budget-read.js';
import { appendRecords, foldPending, recordPending } from '../../src/ledger/index.js';
import type { GitHubEmulator } from '../world/github/index.js';
import { ledgerWorld, repo, runRecord } from './world.js';

const NOW = new Date('2026-12-03T15:30:00.000Z');
const spend = (dayUsd: number, monthUsd = dayUsd, inFlight = 0, reservedUsd = 0) => ({
  dayUsd,
  monthUsd,
  inFlight,
  reservedUsd,
});

describe('the budget verdict', () => {
  it('refuses once spend plus what runs in flight may spend reaches a budget, and says when it resets', () => {
    const v = assessBudget({ dailyUsd: 10 }, spend(6, 6, 1, 5), NOW);
    expect(v.exceeded).toMatchObject({ budget: 'daily', spentUsd: 6, reservedUsd: 5, limitUsd: 10 });
    expect(describeLine(v.exceeded as never)).toBe(
      'The daily budget is $10.00: $6.00 spent today (2026-12-03), plus $5.00 reserved for 1 run in flight. It resets at 2026-12-04 00:00 UTC.',
    );
    expect(assessBudget({ dailyUsd: 10 }, spend(6), NOW).exceeded).toBeNull();
  });

  it('checks the month too, and resets it on the first of the next month (December → January)', () => {
    const v = assessBudget({ dailyUsd: 100, monthlyUsd: 50 }, spend(1, 50), NOW);
    expect(v.exceeded?.budget).toBe('monthly');
    expect(v.exceeded?.resetsAt).toBe('2027-01-01T00:00:00.000Z');
    expect(resetOf('daily', new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('warns at 80% of spend (reservations do not warn), and not for a budget it refuses', () => {
    expect(assessBudget({ dailyUsd: 10 }, spend(7.99, 7.99, 1, 1), NOW).warnings).toEqual([]);
    expect(assessBudget({ dailyUsd: 10 }, spend(8), NOW).warnings.map((l) => l.budget)).toEqual(['daily']);
    expect(assessBudget({ dailyUsd: 10 }, spend(10), NOW).warnings).toEqual([]);
    expect(assessBudget({}, spend(1e6), NOW)).toEqual({ exceeded: null, warnings: [] });
  });

  it('reads --over-budget only as the first word of /pilot run’s text', () => {
    expect(overBudgetFlag('--over-budget fix the docs')).toEqual({ flagged: true, rest: 'fix the docs' });
    expect(overBudgetFlag('please --over-budget')).toEqual({ flagged: false, rest: 'please --over-budget' });
    expect(overBudgetFlag('--over-budgeted').flagged).toBe(false);
  });
});

describe('reading spend and claiming a warning', () => {
  let gh: GitHubEmulator | undefined;
  afterEach(async () => {
    await gh?.close();
    gh = undefined;
  });

  it('counts folded runs, finished runs still pending (once), and reserves max-cost-usd per other lease', async () => {
    const world = await ledgerWorld();
    gh = world.gh;
    const w = world.where();
    const at = NOW.toISOString();
    await appendRecords(w, [
      runRecord(1, { at, costUsd: 2 }),
      runRecord(2, { at: '2026-12-01T08:00:00Z', costUsd: 3 }),
    ]);
    await recordPending(w, runRecord(3, { at, costUsd: 0.5 }));
    // Folded already but its ref not yet deleted: must not count twice.
    await recordPending(w, runRecord(1, { at, costUsd: 2 }));
    // Leases point at some commit; which one does not matter here.
    const { data: ledger } = await w.octokit.rest.git.getRef({ ...repo, ref: 'pilot/ledger' });
    for (const n of [7, 8])
      await w.octokit.rest.git.createRef({
        ...repo,
        ref: `refs/pilot/leases/issue-${n}`,
        sha: ledger.object.sha,
      });
    const { spend: s } = await readSpend(w, { now: NOW, reservePerRunUsd: 5, issue: 7 });
    expect(s).toEqual({ dayUsd: 2.5, monthUsd: 5.5, inFlight: 1, reservedUsd: 5 });
  });

  it('gives a period’s warning to exactly one of ten runs racing for it, and to none after it was folded', async () => {
    const world = await ledgerWorld();
    gh = world.gh;
    const line = assessBudget({ dailyUsd: 1 }, spend(0.9), NOW).warnings[0];
    const record = warningRecord(line, warningKey(line), NOW, 4);
    const claims = await Promise.all(
      Array.from({ length: 10 }, () => claimBudgetEvent(world.where(), record, NOW)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    await foldPending(world.where());
    expect(await claimBudgetEvent(world.where(), record, NOW)).toBe(false);
  });

  it('remembers a month’s warning on every later day of the month (its key is kept in the month)', async () => {
    const world = await ledgerWorld();
    gh = world.gh;
    const line = assessBudget({ monthlyUsd: 10 }, spend(9), NOW).warnings[0];
    const record = warningRecord(line, warningKey(line), NOW);
    expect(await claimBudgetEvent(world.where(), record, NOW)).toBe(true);
    await foldPending(world.where());
    const later = new Date('2026-12-20T09:00:00Z');
    expect(await claimBudgetEvent(world.where(), { ...record, at: later.toISOString() }, later)).toBe(false);
    // …and a copy recorded anyway is dropped by the fold as a duplicate.
    await recordPending(world.where(), { ...record, at: later.toISOString() });
    expect((await foldPending(world.where())).duplicates).toBe(1);
  });
});
