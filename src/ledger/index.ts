// The repository ledger (durable in git refs, no server): see docs/ledger.md.
export { type AppendOptions, type AppendResult, appendRecords, LedgerBusy } from './append.js';
export {
  assessBudget,
  type BudgetLimits,
  type BudgetLine,
  type BudgetVerdict,
  describeLine,
  formatReset,
  OVER_BUDGET_FLAG,
  overBudgetFlag,
  warningKey,
} from './budget.js';
export { claimBudgetEvent, readSpend, warningRecord } from './budget-read.js';
export { type FoldOptions, type FoldResult, foldPending } from './fold-pending.js';
export type { Where } from './git-data.js';
export { DEFAULT_LIMITS, LEDGER_REF, type Limits, PENDING_PREFIX, pendingRef, periodOf } from './layout.js';
export { listPending, recordPending } from './pending.js';
export { readRecent, readTotals } from './read.js';
export { lastDays, readPeriods } from './read-periods.js';
export { type LedgerRecord, type Problem, type RunRecord, runKey } from './records.js';
export type { PeriodTotals } from './totals.js';
