// The "Pilot dashboard" issue's text: a pure function of the ledger's day and month totals, its
// newest run records and the sweep's view of the queue. Charts are Mermaid `xychart-beta` blocks,
// which GitHub renders in issue bodies. Only numbers, dates and Pilot's own enums reach the text (no
// issue titles or other outsiders' words), so nothing in it can be turned into markup or mentions.
import { formatDuration, formatUsd } from './comment.js';

/** What the dashboard needs of a period's totals (the ledger's `PeriodTotals` fits). */
export interface PeriodNumbers {
  period: string;
  costUsd: number;
  runs: { total: number; byOutcome: Partial<Record<string, number>> };
}

export interface DashboardRun {
  runId: number;
  issue: number;
  intent: string;
  outcome: string;
  at: string;
  costUsd: number;
  turns: number;
  durationMs: number;
}

export interface DashboardTask {
  issue: number;
  status: string;
  /** Commands waiting to be served. */
  queued: number;
}

export interface DashboardInput {
  /** ISO time of this update. */
  now: string;
  /** One entry per UTC day, oldest first. */
  days: PeriodNumbers[];
  /** The current UTC month. */
  month: PeriodNumbers;
  budget?: { daily?: number; monthly?: number };
  tasks: DashboardTask[];
  /** Newest first. */
  recent: DashboardRun[];
  runUrl: (runId: number) => string;
  /** The run that wrote this update. */
  updatedBy: string;
}

export const DASHBOARD_CHARTS = {
  runs: 'Runs per day (UTC)',
  rate: 'Success rate per day (%)',
  spend: 'Spend per day (USD)',
} as const;

const ACTIVE = new Set(['queued', 'running', 'ci_fixing', 'review_fixing', 'paused']);

/** Successful runs ÷ runs that finished (success, no changes, failure); null when there were none. */
export function successRate(p: PeriodNumbers): number | null {
  const by = p.runs.byOutcome;
  const success = by.success ?? 0;
  const finished = success + (by.no_changes ?? 0) + (by.failure ?? 0);
  return finished === 0 ? null : Math.round((success / finished) * 1000) / 10;
}

/** Micro-dollar precision, no float noise (`0.30000000000000004` → `0.3`). */
function usd(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

function axisTop(values: number[]): number {
  const top = Math.max(0, ...values);
  if (top <= 1) return 1;
  const step = 10 ** Math.floor(Math.log10(top));
  return Math.ceil(top / step) * step;
}

function chart(title: string, days: PeriodNumbers[], axis: string, series: Array<[string, number[]]>) {
  const labels = days.map((d) => `"${d.period.slice(5)}"`).join(', ');
  const top = axisTop(series.flatMap(([, values]) => values));
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${title}"`,
    `    x-axis [${labels}]`,
    `    y-axis "${axis}" 0 --> ${top}`,
    ...series.map(([kind, values]) => `    ${kind} [${values.join(', ')}]`),
    '```',
  ];
}

function activityCharts(days: PeriodNumbers[]): string[] {
  const runs = days.map((d) => d.runs.total);
  const ok = days.map((d) => d.runs.byOutcome.success ?? 0);
  const rate = days.map((d) => successRate(d) ?? 0);
  return [
    ...chart(DASHBOARD_CHARTS.runs, days, 'runs', [
      ['bar', runs],
      ['line', ok],
    ]),
    'Bars: runs; line: successful runs.',
    '',
    ...chart(DASHBOARD_CHARTS.rate, days, '%', [['line', rate]]),
    'Successful runs ÷ runs that finished (success, no changes, failure); a day without runs shows 0.',
  ];
}

function ofBudget(spent: number, limit: number | undefined, what: string): string {
  if (limit === undefined) return `${formatUsd(spent)} (no ${what} budget set)`;
  const share = limit > 0 ? Math.round((spent / limit) * 100) : 100;
  return `${formatUsd(spent)} of the ${what} budget ${formatUsd(limit)} (${share}%)`;
}

function spendSection(input: DashboardInput): string[] {
  const { days, month, budget } = input;
  const spend = days.map((d) => usd(d.costUsd));
  const series: Array<[string, number[]]> = [['bar', spend]];
  if (budget?.daily !== undefined) series.push(['line', days.map(() => usd(budget.daily as number))]);
  const today = days.at(-1);
  return [
    '## Spend',
    '',
    `- today (${today?.period ?? input.now.slice(0, 10)}): ${ofBudget(today?.costUsd ?? 0, budget?.daily, 'daily')}`,
    `- this month (${month.period}): ${ofBudget(month.costUsd, budget?.monthly, 'monthly')}`,
    '',
    ...chart(DASHBOARD_CHARTS.spend, days, 'USD', series),
    budget?.daily !== undefined ? 'Bars: spend; line: the daily budget.' : 'Bars: spend.',
  ];
}

function taskTable(tasks: DashboardTask[], empty: string): string[] {
  if (tasks.length === 0) return [empty];
  return [
    '| issue | status | queued commands |',
    '| --- | --- | --- |',
    ...tasks.map((t) => `| #${t.issue} | \`${word(t.status)}\` | ${t.queued} |`),
  ];
}

/** Enum-like words only: anything else (which Pilot never writes) shows as `?`. */
function word(text: string): string {
  return /^[a-z_]{1,40}$/.test(text) ? text : '?';
}

function runsTable(input: DashboardInput): string[] {
  if (input.recent.length === 0) return ['No runs recorded yet.'];
  return [
    '| when (UTC) | issue | command | outcome | cost | turns | duration | run |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...input.recent.map(
      (r) =>
        `| ${r.at.slice(0, 16).replace('T', ' ')} | #${r.issue} | ${word(r.intent)} | ${word(r.outcome)} | ` +
        `${formatUsd(r.costUsd)} | ${r.turns} | ${formatDuration(r.durationMs)} | [${r.runId}](${input.runUrl(r.runId)}) |`,
    ),
  ];
}

export function renderDashboard(input: DashboardInput): string {
  const queue = input.tasks.filter((t) => ACTIVE.has(t.status) || t.queued > 0);
  const human = input.tasks.filter((t) => t.status === 'needs_human');
  return [
    `Updated ${input.now.slice(0, 16).replace('T', ' ')} UTC by [the sweep](${input.updatedBy}) from the ledger ` +
      '(`refs/pilot/ledger`). Pilot rewrites this issue on every sweep: edits here are overwritten.',
    '',
    `## Runs, last ${input.days.length} days`,
    '',
    ...activityCharts(input.days),
    '',
    ...spendSection(input),
    '',
    '## Queue',
    '',
    ...taskTable(queue, 'Nothing queued or running.'),
    '',
    '## Needs a human',
    '',
    ...taskTable(human, 'No task is waiting for a person.'),
    '',
    `## Last ${input.recent.length || 10} runs`,
    '',
    ...runsTable(input),
  ].join('\n');
}
