// The sweep keeps the "Pilot dashboard" issue: 30 days of ledger totals, this month's spend against
// the budget, the queue it just swept and the last 10 runs, rewritten on every sweep. Reading costs
// one snapshot plus a blob per day (O(days), never O(history)); a problem here is a warning and never
// fails the sweep.
import * as core from '@actions/core';
import { pinIssue } from '../github/pin.js';
import { lastDays, periodOf, type RunRecord, readPeriods, readRecent } from '../ledger/index.js';
import { type DashboardRun, type DashboardTask, renderDashboard } from '../report/dashboard.js';
import { failureMessage } from '../report/github-errors.js';
import { findDashboard, settleDashboard, writeDashboard } from '../state/dashboard-issue.js';
import { runUrlOf } from './context.js';
import type { Deps } from './deps.js';

export const DASHBOARD_DAYS = 30;
const RECENT_RUNS = 10;
/** Records read for the last runs: other kinds (merges, budget events) sit between them. */
const RECENT_RECORDS = 50;

export interface Budget {
  daily?: number;
  monthly?: number;
}

/**
 * The budgets in the configuration, read defensively: `budgetDailyUsd` / `budgetMonthlyUsd` come with
 * the budget inputs; a configuration without them shows spend only.
 */
export function budgetOf(config: object): Budget | undefined {
  const c = config as { budgetDailyUsd?: unknown; budgetMonthlyUsd?: unknown };
  const usd = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
  const budget = { daily: usd(c.budgetDailyUsd), monthly: usd(c.budgetMonthlyUsd) };
  return budget.daily === undefined && budget.monthly === undefined ? undefined : budget;
}

function asRun(r: RunRecord): DashboardRun {
  return {
    runId: r.runId,
    issue: r.issue,
    intent: r.intent,
    outcome: r.outcome,
    at: r.at,
    costUsd: r.costUsd,
    turns: r.turns,
    durationMs: r.durationMs,
  };
}

async function dashboardText(deps: Deps, tasks: DashboardTask[], budget: Budget | undefined) {
  const where = { octokit: deps.octokit, repo: deps.ctx.repo };
  const now = new Date(deps.now()).toISOString();
  const days = lastDays(now, DASHBOARD_DAYS);
  const { totals } = await readPeriods(where, [...days, periodOf(now, 'month')]);
  const { records } = await readRecent(where, RECENT_RECORDS);
  const runs = records.filter((r): r is RunRecord => r.kind === 'run').slice(0, RECENT_RUNS);
  return renderDashboard({
    now,
    days: totals.slice(0, DASHBOARD_DAYS),
    month: totals[DASHBOARD_DAYS],
    budget,
    tasks,
    recent: runs.map(asRun),
    runUrl: (id) => runUrlOf(deps.ctx, id),
    updatedBy: deps.ctx.runUrl,
  });
}

/** Creates or updates the dashboard; returns the line the sweep's summary shows. */
export async function keepDashboard(deps: Deps, tasks: DashboardTask[], budget?: Budget): Promise<string> {
  const { octokit, ctx, config, seal } = deps;
  try {
    const text = await dashboardText(deps, tasks, budget);
    const found = await findDashboard(octokit, ctx.repo, config.botLogin, seal);
    const written = await writeDashboard(octokit, ctx.repo, found, text, seal);
    if (!written.created) return `#${written.issue.number} updated`;
    const issue = await settleDashboard(octokit, ctx.repo, written.issue, text, config.botLogin, seal);
    if (issue.number !== written.issue.number) return `#${issue.number} updated`;
    core.info(`Created the Pilot dashboard: ${issue.url}`);
    const pin = await pinIssue(octokit, issue.nodeId);
    if (pin.pinned) return `#${issue.number} created and pinned`;
    // Pinning is a convenience: a repository pins at most three issues, and tokens may lack the right.
    core.info(`Could not pin the dashboard #${issue.number} (${pin.reason}); pin it by hand if you like`);
    return `#${issue.number} created; not pinned (${pin.reason})`;
  } catch (error) {
    core.warning(`Dashboard: could not update it (${failureMessage(error)}); the next sweep tries again`);
    return `not updated (${failureMessage(error)})`;
  }
}
