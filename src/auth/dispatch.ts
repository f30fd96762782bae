// Whom a dispatched run (`repository_dispatch`, `workflow_dispatch`, the route job's intent) acts for.
// Anyone holding a token with write access can send a `pilot` dispatch and name any sender in its
// client_payload, and with the default token every workflow in the repository dispatches as
// `github-actions[bot]`, Pilot's own identity. So the name in the payload counts only on Pilot's own
// dispatches, known by their authentication tag; any other dispatch acts for its real sender (GitHub's
// `sender`), who must be authorized in their own right. What the payload points at (the comment, the
// label event) must then say the same thing as the payload.
import * as core from '@actions/core';
import { parseCommand } from '../events/command.js';
import type { Intent, IssueIntent } from '../events/intent.js';
import { sameLogin } from '../events/login.js';
import { issueOfBranch } from '../git/branch.js';
import { type Octokit, type Repo, statusOf } from '../github/client.js';
import type { StateSeal } from '../security/state-key.js';
import { readQueuedNote } from '../state/queue.js';

export type DispatchSender = { ok: true; intent: Intent; byPilot: boolean } | { ok: false; reason: string };

/** Pilot's tagged dispatch keeps the sender it names; any other acts for its real sender only. */
export function dispatchSender(intent: Intent, seal: StateSeal): DispatchSender {
  const d = intent.dispatch;
  if (!d) return { ok: true, intent, byPilot: false };
  if (d.tag && seal.verify({ purpose: 'dispatch' }, d.signed, d.tag))
    return { ok: true, intent, byPilot: true };
  const why = d.tag ? 'an authentication tag that does not verify' : 'no authentication tag';
  if (!d.realSender) return { ok: false, reason: `the dispatch carries ${why} and no sender` };
  if (!sameLogin(d.realSender.login, intent.sender.login)) {
    core.info(
      `The dispatch carries ${why}: it acts for its real sender ${d.realSender.login}, not ${intent.sender.login} named in it`,
    );
  }
  return { ok: true, intent: { ...intent, sender: d.realSender }, byPilot: false };
}

export interface NamedCheck {
  octokit: Octokit;
  repo: Repo;
  pilotLogin: string;
  triggerLabel: string;
  seal: StateSeal;
}

/** Null when the comment or label event the dispatch names agrees with it, else why not. */
export async function namedMismatch(check: NamedCheck, intent: Intent): Promise<string | null> {
  if (!intent.dispatch || intent.kind === 'sweep') return null;
  if (intent.commentId !== undefined) return commentMismatch(check, intent, intent.commentId);
  if (intent.source === 'label') return labelMismatch(check, intent);
  return null;
}

async function commentMismatch(check: NamedCheck, intent: IssueIntent, id: number): Promise<string | null> {
  let comment: { issue_url: string; body?: string | null; user: { login: string } | null };
  try {
    ({ data: comment } = await check.octokit.rest.issues.getComment({ ...check.repo, comment_id: id }));
  } catch (error) {
    if (statusOf(error) === 404) return `comment ${id} named by the dispatch does not exist`;
    throw error;
  }
  if (!(await onIssueOrItsPull(check, intent, comment.issue_url)))
    return `comment ${id} is not on #${intent.issue}${intent.isPullRequest ? ' or on its pull request' : ''}`;
  const author = comment.user?.login;
  if (sameLogin(author, check.pilotLogin)) {
    // A request Pilot queued in its own note: the note (authenticated) says who asked for what.
    const read = readQueuedNote(comment.body ?? '', { seal: check.seal, issue: intent.issue });
    if (!read || 'forged' in read) return `comment ${id} is not a request Pilot queued`;
    const { sender, command } = read.note;
    if (sameLogin(sender.login, intent.sender.login) && command === intent.command) return null;
    return `queued request ${id} is ${sender.login}'s ${command}, not ${intent.sender.login}'s ${intent.command}`;
  }
  if (!sameLogin(author, intent.sender.login)) {
    return `comment ${id} was written by ${author ?? 'a deleted user'}, not by ${intent.sender.login}`;
  }
  const command = parseCommand(comment.body ?? '')?.command;
  return command === intent.command ? null : `comment ${id} does not ask for ${intent.command}`;
}

/**
 * A command commented on the task's PR is dispatched for the task's issue (src/pipeline/pull-task.ts):
 * the comment then lives on a PR of this repository whose head is that issue's `pilot/issue-<n>-…` branch.
 */
async function onIssueOrItsPull(check: NamedCheck, intent: IssueIntent, issueUrl: string): Promise<boolean> {
  const number = Number(/\/issues\/(\d+)$/.exec(issueUrl)?.[1]);
  if (number === intent.issue) return true;
  if (!intent.isPullRequest || !Number.isSafeInteger(number)) return false;
  try {
    const { data: pull } = await check.octokit.rest.pulls.get({ ...check.repo, pull_number: number });
    const own = sameLogin(pull.head.repo?.full_name, `${check.repo.owner}/${check.repo.repo}`);
    return own && issueOfBranch(pull.head.ref) === intent.issue;
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

async function labelMismatch(check: NamedCheck, intent: IssueIntent): Promise<string | null> {
  const events = await check.octokit.paginate(check.octokit.rest.issues.listEventsForTimeline, {
    ...check.repo,
    issue_number: intent.issue,
    per_page: 100,
  });
  const last = events
    .filter((e) => 'event' in e && e.event === 'labeled')
    .filter((e) => sameLogin((e as { label?: { name?: string } }).label?.name, check.triggerLabel))
    .at(-1) as { actor?: { login: string } | null } | undefined;
  if (!last) return `#${intent.issue} has no '${check.triggerLabel}' label event`;
  if (sameLogin(last.actor?.login, intent.sender.login)) return null;
  return `the '${check.triggerLabel}' label was added by ${last.actor?.login ?? 'someone unknown'}, not by ${intent.sender.login}`;
}
