// What a budget check reads, at a fixed cost whatever the history's length: the day's and month's
// totals (ref, commit, two blobs), the pending records of finished runs not folded yet (one list,
// one read each), and the leases of runs in flight (one list). Also the claim that makes a budget's
// warning happen once per period, however many runs reach 80% at once.
import { LEASE_REF_PREFIX } from '../constants.js';
import type { BudgetLine, Spend } from './budget.js';
import { loadTotals } from './fold.js';
import { listRefs, type Where } from './git-data.js';
import { periodOf } from './layout.js';
import { listPending, readPending, recordPending } from './pending.js';
import type { LedgerRecord, Problem } from './records.js';
import { readSnapshot } from './snapshot.js';
import type { PeriodTotals } from './totals.js';

export interface SpendQuery {
  now: Date;
  /** What one run in flight may still spend (max-cost-usd). */
  reservePerRunUsd: number;
  /** The issue asking: its own lease (a work run holds it while it checks) is not "another run". */
  issue?: number;
}

interface Periods {
  day: PeriodTotals;
  month: PeriodTotals;
}

async function readPeriods(w: Where, now: Date, problems: Problem[]): Promise<Periods> {
  const snap = await readSnapshot(w);
  const iso = now.toISOString();
  const day = await loadTotals(w, snap, periodOf(iso, 'day'), problems);
  const month = await loadTotals(w, snap, periodOf(iso, 'month'), problems);
  return { day, month };
}

/** Finished runs not folded yet: counted once (a record already in the day's keys is folded). */
function pendingSpend(records: LedgerRecord[], periods: Periods): { day: number; month: number } {
  const sum = { day: 0, month: 0 };
  for (const r of records) {
    if (r.kind !== 'run' || periods.day.keys?.includes(r.key)) continue;
    if (periodOf(r.at, 'month') !== periods.month.period) continue;
    sum.month += r.costUsd;
    if (periodOf(r.at, 'day') === periods.day.period) sum.day += r.costUsd;
  }
  return sum;
}

export async function readSpend(w: Where, q: SpendQuery): Promise<{ spend: Spend; problems: Problem[] }> {
  const problems: Problem[] = [];
  const periods = await readPeriods(w, q.now, problems);
  const pending = await readPending(w, await listPending(w), problems);
  const extra = pendingSpend(
    pending.map((p) => p.record),
    periods,
  );
  const leases = await listRefs(w, LEASE_REF_PREFIX);
  const own = q.issue === undefined ? '' : `${LEASE_REF_PREFIX}${q.issue}`;
  const inFlight = leases.filter((l) => l.ref !== own).length;
  const spend: Spend = {
    dayUsd: periods.day.costUsd + extra.day,
    monthUsd: periods.month.costUsd + extra.month,
    inFlight,
    reservedUsd: inFlight * q.reservePerRunUsd,
  };
  return { spend, problems };
}

/** Whether the ledger already holds this budget event (the day's keys, or the month's budget keys). */
export async function budgetEventKnown(w: Where, key: string, now: Date): Promise<boolean> {
  const periods = await readPeriods(w, now, []);
  return Boolean(periods.day.keys?.includes(key) || periods.month.budgetKeys?.includes(key));
}

/** The budget record of a line's warning (its key is the period's one warning). */
export function warningRecord(line: BudgetLine, key: string, now: Date, issue?: number): LedgerRecord {
  return {
    v: 1,
    kind: 'budget',
    key,
    at: now.toISOString(),
    event: 'warning',
    budget: line.budget,
    spentUsd: line.spentUsd,
    limitUsd: line.limitUsd,
    ...(issue !== undefined && { issue }),
  };
}

/**
 * Claims a once-per-period budget event: true for exactly one caller however many race. The record
 * goes under its own create-only pending ref (422 for every other racer while it is pending); a
 * caller that records it after an earlier copy was folded (and its ref deleted) finds the key in the
 * ledger on the second look, and a fold drops its copy as a duplicate.
 */
export async function claimBudgetEvent(w: Where, record: LedgerRecord, now: Date): Promise<boolean> {
  if (await budgetEventKnown(w, record.key, now)) return false;
  if ((await recordPending(w, record)) === 'already') return false;
  return !(await budgetEventKnown(w, record.key, now));
}
