// `/pilot approve` on an epic (docs/epics.md, issue 20 item 2): a maintainer's approval of the plan a
// planning run kept in the epic's sealed marker. The gate refuses anyone else; the trusted work run
// checks again, creates one sub-issue per sub-task (each carrying an authenticated reference to the
// epic), links them as native sub-issues with "blocked by" dependencies, and dispatches the ones with
// nothing to wait for, at most `epic-parallel` at once, as Pilot's own signed dispatches: never by
// labelling its own issues (its own events start nothing).
import * as core from '@actions/core';
import { levelOf } from '../auth/authorize.js';
import { COMMAND_PREFIX, DISPATCH_EVENT_TYPE, EPIC_REF_PREFIX } from '../constants.js';
import { toDispatchPayload } from '../events/dispatch.js';
import type { Actor, WorkIntent } from '../events/intent.js';
import { addBlockedBy, addSubIssue } from '../github/sub-issues.js';
import { renderTracking } from '../report/comment.js';
import { epicChecklist } from '../report/epic-words.js';
import { failureMessage } from '../report/github-errors.js';
import type { Outcome } from '../report/outputs.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import type { EpicDoc, TaskDoc } from '../state/task.js';
import { findTracking, type TrackingComment, writeTracking } from '../state/tracking.js';
import { type Deps, dispatchSigner, markerKey } from './deps.js';
import { postReply } from './reply.js';

export function isApproval(intent: WorkIntent): boolean {
  return intent.command === 'approve';
}

/** Null when `who` may approve an epic, else the reason: sub-issues and their runs spend for everyone. */
export async function approvalRefusal(deps: Deps, who: Actor): Promise<string | null> {
  const level = who.type === 'User' ? levelOf(await deps.lookup(who.login)) : 'none';
  if (level === 'maintain' || level === 'admin') return null;
  return (
    `@${who.login} cannot approve an epic's plan: it takes the maintain or admin role on this repository ` +
    `(you have ${level === 'none' ? 'no role' : level}). Nothing was created.`
  );
}

/** The gate's part: refuse a non-maintainer with a reply, else hand the approval to a trusted run. */
export async function dispatchApproval(deps: Deps, intent: WorkIntent): Promise<Outcome> {
  const refusal = await approvalRefusal(deps, intent.sender);
  if (refusal) {
    core.info(`Pilot refuses ${COMMAND_PREFIX} approve: ${refusal}`);
    await postReply(deps, intent.issue, refusal);
    return { conclusion: 'skipped' };
  }
  await dispatchWork(deps, intent);
  return { conclusion: 'success' };
}

async function dispatchWork(deps: Deps, intent: WorkIntent): Promise<void> {
  await deps.octokit.rest.repos.createDispatchEvent({
    ...deps.ctx.repo,
    event_type: DISPATCH_EVENT_TYPE,
    client_payload: toDispatchPayload(intent, deps.ctx.runId, dispatchSigner(deps)),
  });
}

/** The hidden reference a sub-issue carries: only Pilot's key can make one that names this issue. */
export function epicRef(deps: Deps, epic: number, sub: number): string {
  const mac = deps.seal.sign({ purpose: 'epic', issue: sub }, `epic ${epic}`);
  return `${EPIC_REF_PREFIX} ${epic} ${mac} -->`;
}

/** The epic a sub-issue's body names, when the reference is Pilot's for this very issue; else null. */
export function epicOf(deps: Deps, sub: number, body: string): number | null {
  const match = /<!-- pilot:epic (\d+) ([0-9a-f]{64}) -->\s*$/.exec(body);
  if (!match) return null;
  const epic = Number(match[1]);
  return deps.seal.verify({ purpose: 'epic', issue: sub }, `epic ${epic}`, match[2]) ? epic : null;
}

/** The work run's part: checked again, then the sub-issues created, linked and the first dispatched. */
export async function approveEpic(deps: Deps, intent: WorkIntent): Promise<Outcome> {
  const refusal = await approvalRefusal(deps, intent.sender);
  if (refusal) {
    await postReply(deps, intent.issue, refusal);
    return { conclusion: 'skipped' };
  }
  const { issue } = intent;
  const key = markerKey(deps, issue);
  const found = await findTracking(deps.octokit, deps.ctx.repo, issue, deps.config.botLogin, key);
  const epic = found?.task.epic;
  if (!found || !epic || epic.approved) {
    const why = epic?.approved
      ? 'this epic is already approved: its sub-issues exist.'
      : `there is no plan to approve: comment \`${COMMAND_PREFIX} plan --split\` first.`;
    await postReply(deps, issue, `Pilot did not create sub-issues: ${why}`);
    return { conclusion: 'skipped', taskStatus: found?.task.status };
  }
  try {
    const made = await createSubIssues(deps, issue, epic);
    const started = await startReady(deps, intent, made);
    const doc: TaskDoc = { ...found.task, status: 'running', epic: made, rev: found.task.rev + 1 };
    await writeEpic(deps, issue, found, doc, started);
    return { conclusion: 'success', taskStatus: doc.status };
  } catch (error) {
    const why = failureMessage(error);
    await postReply(deps, issue, `Pilot could not create the epic's sub-issues: ${why}.`);
    core.error(`Epic #${issue}: ${why}`);
    return { conclusion: 'failure' };
  }
}

/** One sub-issue per sub-task (in plan order), then its native sub-issue link and its blockers. */
async function createSubIssues(deps: Deps, epic: number, plan: EpicDoc): Promise<EpicDoc> {
  const { octokit, ctx } = deps;
  const tasks = [...plan.tasks];
  for (const [i, t] of tasks.entries()) {
    if (t.issue) continue; // a retried approval keeps what an earlier attempt created
    const body = `${neutraliseAgentText(t.body)}\n\nPart of epic #${epic}.`;
    const { data } = await octokit.rest.issues.create({
      ...ctx.repo,
      title: neutraliseAgentText(t.title),
      body,
    });
    await octokit.rest.issues.update({
      ...ctx.repo,
      issue_number: data.number,
      body: `${body}\n\n${epicRef(deps, epic, data.number)}`,
    });
    await addSubIssue(octokit, ctx.repo, epic, data.number);
    tasks[i] = { ...t, issue: data.number };
  }
  for (const t of tasks)
    for (const d of t.dependsOn)
      await addBlockedBy(octokit, ctx.repo, t.issue as number, tasks[d].issue as number);
  return { tasks, approved: true };
}

/** Dispatches the sub-issues with no dependency, at most `epic-parallel` of them. */
async function startReady(deps: Deps, intent: WorkIntent, epic: EpicDoc): Promise<number[]> {
  const ready = epic.tasks.filter((t) => t.dependsOn.length === 0 && t.issue).map((t) => t.issue as number);
  const started = ready.slice(0, deps.config.epicParallel);
  // The approval's comment is on the epic, not the sub-issue: the sub-issue's run carries none.
  for (const sub of started)
    await dispatchWork(deps, {
      ...intent,
      command: 'run',
      source: 'dispatch',
      args: '',
      issue: sub,
      commentId: undefined,
    });
  return started;
}

async function writeEpic(
  deps: Deps,
  issue: number,
  found: TrackingComment,
  doc: TaskDoc,
  started: number[],
): Promise<void> {
  const epic = doc.epic as EpicDoc;
  const view = {
    headline: `epic approved: ${epic.tasks.length} sub-issues, running in dependency order`,
    body: `${epicChecklist(epic)}\n\nStarted: ${started.map((n) => `#${n}`).join(', ')}.`,
    links: [['work run', deps.ctx.runUrl]] as Array<[string, string]>,
  };
  await writeTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    found,
    renderTracking(doc, view),
    doc,
    markerKey(deps, issue),
  );
}
