// work.ts is one task of the work run, an orchestrator only: a trusted run (writable cache) that claims the issue's task,
// runs the agent, publishes a branch and a PR, and records the outcome. Each step is its own module:
// work-start.ts (claim and plan), work-agent.ts (workspace and agent), work-finish.ts (publish); the
// words are src/report/work-words.ts's.
import * as core from '@actions/core';
import { withIsolation } from '../agent/isolation/index.js';
import type { WorkIntent } from '../events/intent.js';
import { defaultTokenNote } from '../github/app-token.js';
import { overBudgetFlag } from '../ledger/budget.js';
import { ciRounds } from '../report/ci-words.js';
import { renderTracking, type TrackingView } from '../report/comment.js';
import { type Outcome, writeSummary } from '../report/outputs.js';
import { roundsRow, withoutAnswer } from '../report/review-words.js';
import { finalView, type PublishResult, statusAfter } from '../report/work-words.js';
import { redact } from '../security/redact.js';
import type { TaskDoc } from '../state/task.js';
import { writeTracking } from '../state/tracking.js';
import { checkBudget } from './budget-check.js';
import { finishCiDoc, startCiFix } from './ci-fix.js';
import { type Deps, markerKey } from './deps.js';
import { isEpicPlan, planEpic } from './epic.js';
import { proposalNote } from './memory-lessons.js';
import { recordHits } from './memory-prompt.js';
import { autoMerge } from './merge.js';
import { reportMetrics } from './metrics.js';
import { announce, endNotices, startNotice } from './notices.js';
import { recordRun } from './record-run.js';
import { afterRound, answerRound, isReviewRound, openRound } from './review-fix.js';
import { carriedFields } from './task-memory.js';
import { reportToTicket } from './tracker-out.js';
import { type AgentRun, agentStage } from './work-agent.js';
import { publishStage } from './work-finish.js';
import { startTask, type WorkTask } from './work-start.js';

export async function work(deps: Deps, asked: WorkIntent): Promise<Outcome> {
  const budget = await checkBudget(deps, asked, 'work');
  if (!budget.proceed) return budget.outcome;
  // The flag is for Pilot, not the agent's instructions.
  const intent = { ...asked, args: overBudgetFlag(asked.args).rest };
  // `/pilot plan --split`: an epic's read-only planning run, no branch and no PR (src/pipeline/epic.ts).
  if (isEpicPlan(intent)) return planEpic(deps, intent);
  if (intent.source === 'ci') {
    // A CI follow-up decides before any model spend: rerun, stop, or resume the session with the log.
    const ci = await startCiFix(deps, intent);
    return ci.kind === 'done' ? ci.outcome : workOnTask(deps, intent, { ci: ci.fix });
  }
  // A review round checks its bound and Pilot's head before it claims anything (review-fix.ts).
  const opened = isReviewRound(intent) ? await openRound(deps, intent) : null;
  if (opened && !opened.ok) return opened.outcome;
  return workOnTask(deps, intent, { review: opened?.round });
}

async function workOnTask(
  deps: Deps,
  intent: WorkIntent,
  followUp: Pick<WorkTask, 'ci' | 'review'>,
): Promise<Outcome> {
  const start = await startTask(deps, intent);
  const task: WorkTask = { deps, intent, start, isolation: { layers: [] }, ...followUp };
  const { review } = task;
  await announce(deps, startNotice(intent.issue, start.issue.title, start.tracking.url, intent.command));
  const { ws, agent } = await agentStage(task);
  // The PR body shows the agent's summary, not its answer block (that goes to the review threads).
  const shown = review ? { ...agent, resultText: withoutAnswer(agent.resultText) } : agent;
  const result = await publishStage(task, ws, shown);
  if (review) await answerRound(deps, review, roundResult(task, agent, result));
  const view = viewOf(task, agent, result);
  if (review) view.details = [...(view.details ?? []), roundsRow(review.round, review.max)];
  const doc = finalDoc(task, agent, result, view.headline);
  const sessionNotes = agent.session?.notes ?? [];
  const lessonNote = doc.lesson ? [proposalNote(doc.lesson)] : [];
  if (sessionNotes.length || lessonNote.length)
    view.body = [view.body, ...sessionNotes, ...lessonNote].filter(Boolean).join('\n\n');
  const { issue } = intent;
  const { tracking: found } = task.start;
  const body = renderTracking(doc, view);
  const written = await writeTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    found,
    body,
    doc,
    markerKey(deps, issue),
  );
  // `autopilot: merge`: a PR left open is merged (or auto-merge enabled) when nothing blocks it.
  const tracking = await autoMerge(deps, issue, written);
  const used = task.memory?.ids ?? [];
  const details: Array<[string, string]> = [...(view.details ?? [])];
  if (used.length) details.push(['Learnings used', used.join(', ')]);
  await writeSummary(`Pilot: #${issue} — ${view.headline}`, details, [
    `Tracking comment: ${tracking.url}`,
    ...sessionNotes,
  ]);
  const failed = failedRun(agent, result);
  if (failed) core.error(redact(result.error ?? agent.errorText ?? view.headline));
  const outcome = { ...outcomeOf(task, doc, agent, result), taskStatus: tracking.task.status };
  // The repository ledger (spend, outcomes); a ledger problem is a warning, never the run's failure.
  const { started, plan } = task.start;
  await recordHits(deps, used); // pending: folded with this run's record just below
  await recordRun(deps, intent, outcome, { startedAt: started, model: plan.model, runner: plan.runner });
  // After the record, so the all-time totals pushed include this run when its fold won.
  outcome.metricsFile = await reportMetrics(deps);
  await tellTheEnd(task, outcome, { trackingUrl: tracking.url, headline: view.headline }, result);
  return outcome;
}

/** The end notices, and the outcome back to the tracker's ticket when the issue came from one. */
async function tellTheEnd(
  task: WorkTask,
  outcome: Outcome,
  report: { trackingUrl: string; headline: string },
  result: PublishResult,
): Promise<void> {
  const { deps, intent } = task;
  const facts = { issue: intent.issue, title: task.start.issue.title, trackingUrl: report.trackingUrl };
  for (const notice of endNotices(outcome, { ...facts, prCreated: result.published?.pr?.created }))
    await announce(deps, notice);
  // An issue opened for a Jira/Linear ticket: the outcome and PR link go back to it (tracker-out.ts).
  await reportToTicket(deps, task.start.issue, outcome, report);
}

/** The task document once the run is over. */
function finalDoc(task: WorkTask, agent: AgentRun, result: PublishResult, headline: string): TaskDoc {
  const before = task.start.task;
  const { published } = result;
  const { command } = task.intent;
  const doc: TaskDoc = {
    ...before,
    ...carriedFields(before, { command, agent, error: result.error, headline }),
    status: statusAfter(task.intent.command, agent, result),
    pr: published?.pr?.number ?? before.pr,
    // The head Pilot pushed last: review and CI follow-ups act only on this commit.
    headSha: published?.commit ?? before.headSha,
    sessionId: agent.sessionId ?? before.sessionId,
    // A new proposal replaces one nobody approved yet (src/pipeline/memory-lessons.ts).
    lesson: task.lesson ?? before.lesson,
    ...agent.session?.fields,
    // Optional in the v3 document: no version bump. Fix rounds the gates used in this run.
    ...(agent.quality?.runs.length ? { gateRounds: agent.quality.fixRounds } : {}),
    costUsd: before.costUsd + agent.costUsd,
    // Optional in the v3 document: no version bump. Why the task waits; the sweep resumes it.
    pausedFor: paused(agent, result) ? pauseNote(agent) : undefined,
    // The sweep's resumes count until a run gets past the outage (src/pipeline/resume-paused.ts).
    resumes: paused(agent, result) ? before.resumes : undefined,
    rev: before.rev + 1,
    ...(task.review && afterRound(task.review, statusAfter(task.intent.command, agent, result))),
  };
  return task.ci ? finishCiDoc(before, task.ci, doc, Boolean(published?.commit)) : doc;
}

/** What the review round's run did, for its thread replies and summary. */
function roundResult(task: WorkTask, agent: AgentRun, result: PublishResult) {
  return {
    ok: agent.ok && !result.error,
    resultText: agent.resultText,
    commit: result.published?.commit ?? null,
    branch: task.start.branch,
    failure: result.error ?? agent.errorText ?? (agent.ok ? undefined : agent.stopReason),
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
  if (task.ci) ciViewOf(view, task, agent.ok && !result.error && !result.published?.commit);
  return withIsolation(view, task.isolation);
}

/** A CI fix shows its round out of the bound; one that changed nothing says a human is needed (finishCiDoc). */
function ciViewOf(view: TrackingView, task: WorkTask, unchanged: boolean): void {
  const used = (task.start.task.ciFixes ?? 0) + 1;
  view.details = [...(view.details ?? []), ciRounds(used, task.deps.config.maxCiFixes)];
  if (unchanged) view.headline = 'the CI fix changed nothing: a human is needed';
}

/** A run paused by the model API's outage (the gateway called it) and published cleanly. */
function paused(agent: AgentRun, result: PublishResult): boolean {
  return agent.stopReason === 'outage' && result.error === undefined;
}

/** A pause is not a failure: the step stays green and the tracking comment says why it waits. */
function failedRun(agent: AgentRun, result: PublishResult): boolean {
  return (!agent.ok || result.error !== undefined) && !paused(agent, result);
}

function pauseNote(agent: AgentRun): string {
  return `model API outage: ${agent.errorText ?? 'the model API kept failing'}`.slice(0, 300);
}

function conclusionOf(task: WorkTask, agent: AgentRun, result: PublishResult): Outcome['conclusion'] {
  if (paused(agent, result)) return 'paused';
  if (failedRun(agent, result)) return 'failure';
  return result.published?.pr || task.intent.command === 'plan' ? 'success' : 'no_changes';
}

function outcomeOf(task: WorkTask, doc: TaskDoc, agent: AgentRun, result: PublishResult): Outcome {
  const { published } = result;
  return {
    conclusion: conclusionOf(task, agent, result),
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
