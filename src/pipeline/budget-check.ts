// The budget check, run by the gate before it dispatches and by the work run before the agent starts
// (docs/budgets.md). Over a budget: the tracking comment says which one, what is spent, when it resets
// and how an admin overrides it, and `budget.exceeded` is announced. At 80%: `budget.warning`, once
// per period, claimed in the ledger by the work run (the gate only reads the ledger).
import * as core from '@actions/core';
import { levelOf } from '../auth/authorize.js';
import { REPLY_MARKER } from '../constants.js';
import type { WorkIntent } from '../events/intent.js';
import {
  assessBudget,
  type BudgetLine,
  claimBudgetEvent,
  describeLine,
  OVER_BUDGET_FLAG,
  overBudgetFlag,
  readSpend,
  warningKey,
  warningRecord,
} from '../ledger/index.js';
import { recordPending } from '../ledger/pending.js';
import { renderTracking } from '../report/comment.js';
import { failureMessage } from '../report/github-errors.js';
import { type Outcome, writeSummary } from '../report/outputs.js';
import { redact } from '../security/redact.js';
import { isWorking, newTask, withRun } from '../state/task.js';
import { findTracking, writeTracking } from '../state/tracking.js';
import { type Deps, markerKey } from './deps.js';
import { announce } from './notices.js';

export type Admission = { proceed: true } | { proceed: false; outcome: Outcome };
type CheckedBy = 'gate' | 'work';

const PROCEED: Admission = { proceed: true };

export async function checkBudget(deps: Deps, intent: WorkIntent, phase: CheckedBy): Promise<Admission> {
  const { config } = deps;
  const limits = { dailyUsd: config.budgetDailyUsd, monthlyUsd: config.budgetMonthlyUsd };
  if (limits.dailyUsd === undefined && limits.monthlyUsd === undefined) return PROCEED;
  const now = new Date(deps.now());
  const where = { octokit: deps.octokit, repo: deps.ctx.repo };
  let verdict: ReturnType<typeof assessBudget>;
  try {
    const query = { now, reservePerRunUsd: config.maxCostUsd, issue: intent.issue ?? undefined };
    verdict = assessBudget(limits, (await readSpend(where, query)).spend, now);
  } catch (error) {
    // Fails open: a ledger GitHub cannot serve right now should not stop every task; said loudly.
    core.warning(`Budget: could not read the ledger (${failureMessage(error)}); this run is not checked`);
    return PROCEED;
  }
  if (verdict.exceeded) return overBudget(deps, intent, phase, verdict.exceeded);
  if (phase === 'work') for (const line of verdict.warnings) await warnOnce(deps, intent, line, now);
  return PROCEED;
}

async function overBudget(
  deps: Deps,
  intent: WorkIntent,
  phase: CheckedBy,
  line: BudgetLine,
): Promise<Admission> {
  const sender = intent.sender.login;
  if (intent.command === 'run' && overBudgetFlag(intent.args).flagged) {
    // Asked again here, not taken from the gate: the work run trusts no earlier decision.
    const level = levelOf(await deps.lookup(sender));
    if (level === 'admin' && intent.sender.type === 'User') {
      core.info(`Budget: ${describeLine(line)} @${sender} (admin) overrides it with ${OVER_BUDGET_FLAG}`);
      if (phase === 'work') await recordOverride(deps, intent, line);
      return PROCEED;
    }
    const why = `@${sender} asked to run with \`${OVER_BUDGET_FLAG}\`, but only a repository admin may (@${sender} has ${level} permission).`;
    return refuse(deps, intent, phase, line, why);
  }
  return refuse(deps, intent, phase, line);
}

function refusalText(line: BudgetLine, why?: string): string {
  return [
    describeLine(line),
    why,
    `A repository admin can start this task anyway by commenting \`/pilot run ${OVER_BUDGET_FLAG}\`; otherwise label the issue again (or comment \`/pilot run\`) after the reset.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

async function refuse(
  deps: Deps,
  intent: WorkIntent,
  phase: CheckedBy,
  line: BudgetLine,
  why?: string,
): Promise<Admission> {
  const issue = intent.issue as number;
  const { ctx, octokit } = deps;
  const text = refusalText(line, why);
  const headline = `not started: the ${line.budget} budget is spent`;
  core.warning(`Budget: ${describeLine(line)} ${why ?? ''}`.trim());
  const found = await findTracking(octokit, ctx.repo, issue, deps.config.botLogin, markerKey(deps, issue));
  let url: string | undefined;
  if (phase === 'gate' && found && isWorking(found.task)) {
    // Another run holds the task: its claim stays; the refusal is a reply instead. (A work run holds
    // the lease itself, so the task is its own to mark.)
    const { data } = await octokit.rest.issues.createComment({
      ...ctx.repo,
      issue_number: issue,
      body: `${redact(`**Pilot — ${headline}.** ${text}`)}\n\n${REPLY_MARKER}`,
    });
    url = data.html_url;
  } else {
    const run = {
      id: ctx.runId,
      kind: phase,
      at: new Date(deps.now()).toISOString(),
    } as const;
    const task = withRun({ ...(found?.task ?? newTask()), status: 'budget_exceeded' }, run);
    const view = renderTracking(task, { headline, body: redact(text), links: [['run', ctx.runUrl]] });
    url = (await writeTracking(octokit, ctx.repo, issue, found, view, task, markerKey(deps, issue))).url;
  }
  await announce(deps, {
    event: 'budget.exceeded',
    issue,
    url,
    status: 'budget_exceeded',
    summary: describeLine(line),
  });
  await writeSummary(`Pilot: #${issue} not started — the ${line.budget} budget is spent`, [], [text]);
  return { proceed: false, outcome: { conclusion: 'skipped', taskStatus: 'budget_exceeded' } };
}

async function warnOnce(deps: Deps, intent: WorkIntent, line: BudgetLine, now: Date): Promise<void> {
  const where = { octokit: deps.octokit, repo: deps.ctx.repo };
  const record = warningRecord(line, warningKey(line), now, intent.issue ?? undefined);
  try {
    if (!(await claimBudgetEvent(where, record, now))) return;
  } catch (error) {
    core.warning(`Budget: could not record the ${line.budget} warning (${failureMessage(error)})`);
    return;
  }
  core.warning(`Budget: 80% reached. ${describeLine(line)}`);
  await announce(deps, {
    event: 'budget.warning',
    issue: intent.issue ?? undefined,
    summary: describeLine(line),
  });
}

/** An admin's override is history worth keeping: one budget record per overriding run. */
async function recordOverride(deps: Deps, intent: WorkIntent, line: BudgetLine): Promise<void> {
  const where = { octokit: deps.octokit, repo: deps.ctx.repo };
  await recordPending(where, {
    v: 1,
    kind: 'budget',
    key: `budget-override-${deps.ctx.runId}-${deps.ctx.runAttempt}`,
    at: new Date(deps.now()).toISOString(),
    event: 'override',
    budget: line.budget,
    spentUsd: line.spentUsd,
    limitUsd: line.limitUsd,
    issue: intent.issue ?? undefined,
  }).catch((error: unknown) =>
    core.warning(`Budget: could not record the override (${failureMessage(error)})`),
  );
}
