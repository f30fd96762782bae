// Running totals of one period (a UTC day or month), updated as records are folded in, so a budget
// check or a dashboard reads one small document instead of the history. A day's document also
// keeps the keys folded into it: the idempotency check of a fold reads it anyway.
import { z } from 'zod';
import { type LedgerRecord, RUN_OUTCOMES } from './records.js';

const count = z.number().int().nonnegative();

/**
 * Upper bounds (seconds) of the run-duration buckets the totals count, for the
 * `pilot_execution_duration_seconds` histogram: a run lasts from a minute to the job's six hours.
 */
export const DURATION_BUCKETS_SECONDS = [
  30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 21600,
] as const;

/** The index of the first bucket whose bound holds the duration; the last index is "more". */
export function durationBucket(ms: number): number {
  const i = DURATION_BUCKETS_SECONDS.findIndex((le) => ms / 1000 <= le);
  return i < 0 ? DURATION_BUCKETS_SECONDS.length : i;
}

export const PeriodTotals = z.object({
  v: z.literal(1),
  period: z.string(),
  records: count,
  /** Spend of the runs counted here, in USD. */
  costUsd: z.number().nonnegative(),
  tokensIn: count,
  tokensOut: count,
  // Defaults: documents written before cache tokens and duration buckets were counted still parse.
  tokensCacheRead: count.default(0),
  tokensCacheWrite: count.default(0),
  turns: count,
  durationMs: count,
  /** Runs per duration bucket (`DURATION_BUCKETS_SECONDS`, then one past the last), not cumulative. */
  durationBuckets: z.array(count).default([]),
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
    tokensCacheRead: 0,
    tokensCacheWrite: 0,
    turns: 0,
    durationMs: 0,
    durationBuckets: [],
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
  // Months only: the all-time totals would keep every budget key forever.
  if (record.kind === 'budget' && /^\d{4}-\d{2}$/.test(t.period))
    t.budgetKeys = [...(t.budgetKeys ?? []), record.key];
  if (record.kind !== 'run') return;
  // Rounded to micro-dollars so sums of many small costs do not drift.
  t.costUsd = Math.round((t.costUsd + record.costUsd) * 1e6) / 1e6;
  t.tokensIn += record.tokensIn;
  t.tokensOut += record.tokensOut;
  t.turns += record.turns;
  t.durationMs += record.durationMs;
  t.tokensCacheRead += record.tokensCacheRead ?? 0;
  t.tokensCacheWrite += record.tokensCacheWrite ?? 0;
  const bucket = durationBucket(record.durationMs);
  t.durationBuckets = Array.from({ length: DURATION_BUCKETS_SECONDS.length + 1 }, (_, i) => {
    return (t.durationBuckets[i] ?? 0) + (i === bucket ? 1 : 0);
  });
  t.runs.total++;
  t.runs.byOutcome[record.outcome] = (t.runs.byOutcome[record.outcome] ?? 0) + 1;
}
