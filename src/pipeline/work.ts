// work.ts is one task of the work run, an orchestrator only: a trusted run (writable cache) that claims the issue's task,
// runs the agent, publishes a branch and a PR, and records the outcome. Each step is its own module:
// work-start.ts (claim and plan), work-agent.ts (workspace and agent), work-finish.ts (publish); the
// words are src/report/work-words.ts's.
import * as core from '@actions/core';
import { withIsolation } from '../agent/isolation/index.js';
import type { WorkIntent } from '../events/intent.js';
import { defaultTokenNote } from '../github/app-token.js';
import { overBudgetFlag } from '../ledger/budget.js';
import { renderTracking, type TrackingView } from '../report/comment.js';
import { type Outcome, writeSummary } from '../report/outputs.js';
import { finalView, type PublishResult, statusAfter } from '../report/work-words.js';
import { redact } from '../security/redact.js';
import type { TaskDoc } from '../state/task.js';
import { writeTracking } from '../state/tracking.js';
import { checkBudget } from './budget-check.js';
import { type Deps, markerKey } from './deps.js';
import { reportMetrics } from './metrics.js';
import { announce, endNotices, startNotice } from './notices.js';
import { recordRun } from './record-run.js';
import { carriedFields } from './task-memory.js';
import { type AgentRun, agentStage } from './work-agent.js';
import { publishStage } from './work-finish.js';
import { startTask, type WorkTask } from './work-start.js';

export async function work(deps: Deps, asked: WorkIntent): Promise<Outcome> {
  const budget = await checkBudget(deps, asked, 'work');
  if (!budget.proceed) return budget.outcome;
  // The flag is for Pilot, not the agent's instructions.
  return workOnTask(deps, { ...asked, args: overBudgetFlag(asked.args).rest });
}

async function workOnTask(deps: Deps, intent: WorkIntent): Promise<Outcome> {
  const task: WorkTask = { deps, intent, start: await startTask(deps, intent), isolation: { layers: [] } };
  const { start } = task;
  await announce(deps, startNotice(intent.issue, start.issue.title, start.tracking.url, intent.command));
  const { ws, agent } = await agentStage(task);
  const result = await publishStage(task, ws, agent);
  const view = viewOf(task, agent, result);
  const doc = finalDoc(task, agent, result, view.headline);
  const sessionNotes = agent.session?.notes ?? [];
  if (sessionNotes.length) view.body = [view.body, ...sessionNotes].filter(Boolean).join('\n\n');
  const { issue } = intent;
  const { tracking: found } = task.start;
  const body = renderTracking(doc, view);
  const tracking = await writeTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    found,
    body,
    doc,
    markerKey(deps, issue),
  );
  await writeSummary(`Pilot: #${issue} — ${view.headline}`, view.details ?? [], [
    `Tracking comment: ${tracking.url}`,
    ...sessionNotes,
  ]);
  const failed = !agent.ok || result.error !== undefined;
  if (failed) core.error(redact(result.error ?? agent.errorText ?? view.headline));
  const outcome = outcomeOf(task, doc, agent, result);
  // The repository ledger (spend, outcomes); a ledger problem is a warning, never the run's failure.
  const { started, plan } = task.start;
  await recordRun(deps, intent, outcome, { startedAt: started, model: plan.model, runner: plan.runner });
  // After the record, so the all-time totals pushed include this run when its fold won.
  outcome.metricsFile = await reportMetrics(deps);
  const facts = { issue, title: task.start.issue.title, trackingUrl: tracking.url };
  for (const notice of endNotices(outcome, { ...facts, prCreated: result.published?.pr?.created }))
    await announce(deps, notice);
  return outcome;
}

/** The task document once the run is over. */
function finalDoc(task: WorkTask, agent: AgentRun, result: PublishResult, headline: string): TaskDoc {
  const before = task.start.task;
  const { published } = result;
  const { command } = task.intent;
  return {
    ...before,
    ...carriedFields(before, { command, agent, error: result.error, headline }),
    status: statusAfter(task.intent.command, agent, result),
    pr: published?.pr?.number ?? before.pr,
    // The head Pilot pushed last: review and CI follow-ups act only on this commit.
    headSha: published?.commit ?? before.headSha,
    sessionId: agent.sessionId ?? before.sessionId,
    ...agent.session?.fields,
    // Optional in the v3 document: no version bump. Fix rounds the gates used in this run.
    ...(agent.quality?.runs.length ? { gateRounds: agent.quality.fixRounds } : {}),
    costUsd: before.costUsd + agent.costUsd,
    rev: before.rev + 1,
  };
}

function viewOf(task: WorkTask, agent: AgentRun, result: PublishResult): TrackingView {
  const { deps, intent, start } = task;
  const view = finalView({
    command: intent.command,
    agent,
    result,
    branch: start.branch,
    plan: start.plan,
    links: start.links,
    durationMs: deps.now() - start.started,
    ciNote: defaultTokenNote({ tokens: deps.tokens, botLogin: deps.config.botLogin }),
  });
  return withIsolation(view, task.isolation);
}

function outcomeOf(task: WorkTask, doc: TaskDoc, agent: AgentRun, result: PublishResult): Outcome {
  const { published } = result;
  const failed = !agent.ok || result.error !== undefined;
  const planned = task.intent.command === 'plan';
  return {
    conclusion: failed ? 'failure' : published?.pr || planned ? 'success' : 'no_changes',
    taskStatus: doc.status,
    prNumber: published?.pr?.number,
    prUrl: published?.pr?.url,
    branch: task.start.branch,
    costUsd: agent.costUsd,
    turns: agent.numTurns,
    sessionId: agent.sessionId,
    tokens: agent.tokens,
  };
}
