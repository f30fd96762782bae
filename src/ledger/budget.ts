// Budgets per UTC day and month, judged against what the ledger knows (pure; reads are in
// budget-read.ts). Spend counts what runs have spent (folded totals plus finished runs still pending)
// and what runs in flight may still spend: each is reserved at `max-cost-usd`, the gateway's hard
// cap per run, so runs admitted side by side cannot together overrun a budget they each fit in.

export type BudgetName = 'daily' | 'monthly';

/** A warning once spend reaches this share of a budget. */
export const WARN_AT = 0.8;

export interface BudgetLimits {
  dailyUsd?: number;
  monthlyUsd?: number;
}

export interface Spend {
  /** Spent this UTC day / month: folded totals plus finished runs whose records are still pending. */
  dayUsd: number;
  monthUsd: number;
  /** Runs in flight (other than the one asking) and what they may still spend, in all. */
  inFlight: number;
  reservedUsd: number;
}

export interface BudgetLine {
  budget: BudgetName;
  /** `2026-12-03` or `2026-12`. */
  period: string;
  limitUsd: number;
  spentUsd: number;
  reservedUsd: number;
  inFlight: number;
  /** When the period ends (ISO, UTC). */
  resetsAt: string;
}

export interface BudgetVerdict {
  /** The first budget with no room left (spent + reserved ≥ limit), if any. */
  exceeded: BudgetLine | null;
  /** Budgets whose spend reached WARN_AT of the limit (and are not exceeded). */
  warnings: BudgetLine[];
}

/** The instant a day's or month's budget starts again. */
export function resetOf(budget: BudgetName, now: Date): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  return budget === 'daily'
    ? new Date(Date.UTC(y, m, now.getUTCDate() + 1))
    : new Date(Date.UTC(y, m + 1, 1));
}

export function periodFor(budget: BudgetName, now: Date): string {
  return now.toISOString().slice(0, budget === 'daily' ? 10 : 7);
}

const cents = (usd: number) => Math.round(usd * 1e6) / 1e6;

function lineOf(budget: BudgetName, limitUsd: number, spent: number, spend: Spend, now: Date): BudgetLine {
  return {
    budget,
    period: periodFor(budget, now),
    limitUsd,
    spentUsd: cents(spent),
    reservedUsd: cents(spend.reservedUsd),
    inFlight: spend.inFlight,
    resetsAt: resetOf(budget, now).toISOString(),
  };
}

export function assessBudget(limits: BudgetLimits, spend: Spend, now: Date): BudgetVerdict {
  const lines: BudgetLine[] = [];
  if (limits.dailyUsd !== undefined) lines.push(lineOf('daily', limits.dailyUsd, spend.dayUsd, spend, now));
  if (limits.monthlyUsd !== undefined)
    lines.push(lineOf('monthly', limits.monthlyUsd, spend.monthUsd, spend, now));
  const exceeded = lines.find((l) => l.spentUsd + l.reservedUsd >= l.limitUsd) ?? null;
  const warnings = lines.filter((l) => l !== exceeded && l.spentUsd >= WARN_AT * l.limitUsd);
  return { exceeded, warnings };
}

/** The ledger key of a budget's one warning per period: a second claim of it finds it taken. */
export function warningKey(line: Pick<BudgetLine, 'budget' | 'period'>): string {
  return `budget-warning-${line.budget}-${line.period}`;
}

const usd = (value: number) => `$${value.toFixed(2)}`;

/** `2026-12-04 00:00 UTC`. */
export function formatReset(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** One sentence: which budget, how much is spent (and reserved), when it resets. */
export function describeLine(line: BudgetLine): string {
  const reserved =
    line.inFlight > 0
      ? `, plus ${usd(line.reservedUsd)} reserved for ${line.inFlight} run${line.inFlight === 1 ? '' : 's'} in flight`
      : '';
  const span = line.budget === 'daily' ? `today (${line.period})` : `this month (${line.period})`;
  return `The ${line.budget} budget is ${usd(line.limitUsd)}: ${usd(line.spentUsd)} spent ${span}${reserved}. It resets at ${formatReset(line.resetsAt)}.`;
}

/** The flag on `/pilot run` that asks to run past a spent budget (honoured from admins only). */
export const OVER_BUDGET_FLAG = '--over-budget';

/** Whether `args` (the text after `/pilot run`) starts with the flag, and the args without it. */
export function overBudgetFlag(args: string): { flagged: boolean; rest: string } {
  const match = /^[ \t]*--over-budget(?=\s|$)/.exec(args);
  return match ? { flagged: true, rest: args.slice(match[0].length).trim() } : { flagged: false, rest: args };
}
