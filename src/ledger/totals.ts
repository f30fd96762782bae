// Running totals of one period (a UTC day or month), updated as records are folded in, so a budget
// check or a dashboard reads one small document instead of the history. A day's document also
// keeps the keys folded into it: the idempotency check of a fold reads it anyway.
import { z } from 'zod';
import { type LedgerRecord, RUN_OUTCOMES } from './records.js';

const count = z.number().int().nonnegative();

export const PeriodTotals = z.object({
  v: z.literal(1),
  period: z.string(),
  records: count,
  /** Spend of the runs counted here, in USD. */
  costUsd: z.number().nonnegative(),
  tokensIn: count,
  tokensOut: count,
  turns: count,
  durationMs: count,
  runs: z.object({ total: count, byOutcome: z.partialRecord(z.enum(RUN_OUTCOMES), count) }),
  merges: count,
  budgetEvents: z.record(z.string(), count),
  /** Failed runs in a row when the period's last record was folded, and the longest streak in it. */
  failuresInRow: count,
  maxFailuresInRow: count,
  /** Idempotency keys folded into this day (days only; a month would grow too large). */
  keys: z.array(z.string()).optional(),
  /**
   * Keys of the budget events folded into this month (months only): a budget's warning is once per
   * period, and a month's warning can be claimed on any of its days (claimBudgetEvent in src/ledger/budget-read.ts).
   */
  budgetKeys: z.array(z.string()).optional(),
});
export type PeriodTotals = z.infer<typeof PeriodTotals>;

export function emptyTotals(period: string): PeriodTotals {
  return {
    v: 1,
    period,
    records: 0,
    costUsd: 0,
    tokensIn: 0,
    tokensOut: 0,
    turns: 0,
    durationMs: 0,
    runs: { total: 0, byOutcome: {} },
    merges: 0,
    budgetEvents: {},
    failuresInRow: 0,
    maxFailuresInRow: 0,
    ...(period.length === 10 && { keys: [] }),
  };
}

/** The streak after a record: a failed run extends it, a run that worked ends it, others keep it. */
export function nextStreak(streak: number, record: LedgerRecord): number {
  if (record.kind !== 'run') return streak;
  if (record.outcome === 'failure') return streak + 1;
  if (record.outcome === 'success' || record.outcome === 'no_changes') return 0;
  return streak;
}

/** Adds one record (whose streak is already applied) to a period's totals, in place. */
export function addToTotals(t: PeriodTotals, record: LedgerRecord, streak: number): void {
  t.records++;
  t.keys?.push(record.key);
  t.failuresInRow = streak;
  t.maxFailuresInRow = Math.max(t.maxFailuresInRow, streak);
  if (record.kind === 'merge') t.merges++;
  if (record.kind === 'budget') t.budgetEvents[record.event] = (t.budgetEvents[record.event] ?? 0) + 1;
  if (record.kind === 'budget' && !t.keys) t.budgetKeys = [...(t.budgetKeys ?? []), record.key];
  if (record.kind !== 'run') return;
  // Rounded to micro-dollars so sums of many small costs do not drift.
  t.costUsd = Math.round((t.costUsd + record.costUsd) * 1e6) / 1e6;
  t.tokensIn += record.tokensIn;
  t.tokensOut += record.tokensOut;
  t.turns += record.turns;
  t.durationMs += record.durationMs;
  t.runs.total++;
  t.runs.byOutcome[record.outcome] = (t.runs.byOutcome[record.outcome] ?? 0) + 1;
}
