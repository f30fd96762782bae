// The merge autopilot (`autopilot: merge`, docs/merge.md): gathers what decides a merge, lets
// merge-decide.ts decide, acts on GitHub (src/github/merge.ts), and says what happened in the
// tracking comment. Called at the end of a work run that leaves `pr_open` and by the sweep. A problem
// here is a warning and leaves the task `pr_open`: the next attempt starts again from GitHub's facts.
import * as core from '@actions/core';
import { levelOf } from '../auth/authorize.js';
import { MARKER_PREFIX } from '../constants.js';
import { statusOf } from '../github/client.js';
import {
  latestReviews,
  readCheckRuns,
  readPull,
  readRepoSettings,
  readRequiredChecks,
  unresolvedThreadAuthors,
} from '../github/merge.js';
import { failureMessage } from '../report/github-errors.js';
import { type MergeNote, withMergeSection } from '../report/merge-words.js';
import type { TaskDoc } from '../state/task.js';
import { type TrackingComment, writeTracking } from '../state/tracking.js';
import { type Deps, markerKey } from './deps.js';
import { type Acted, actOn } from './merge-act.js';
import { decideMerge, type MergeFacts } from './merge-decide.js';
import { environmentsOf } from './merge-environment.js';
import { appendLedger, autopilotRecord, readMergeLimits } from './merge-ledger.js';
import { announce } from './notices.js';

const WRITE_LEVELS = new Set(['write', 'maintain', 'admin']);

async function canWrite(deps: Deps, login: string): Promise<boolean> {
  return WRITE_LEVELS.has(levelOf(await deps.lookup(login)));
}

/** Reviewers who may block: those with write access whose latest review requests changes. */
async function blockingReviewers(deps: Deps, pr: number): Promise<string[]> {
  const out: string[] = [];
  for (const [login, state] of await latestReviews(deps.octokit, deps.ctx.repo, pr))
    if (state === 'CHANGES_REQUESTED' && (await canWrite(deps, login))) out.push(login);
  return out;
}

/** Unresolved threads started by someone with write access (or by someone Pilot cannot name). */
async function blockingThreads(deps: Deps, pr: number): Promise<string[]> {
  const out: string[] = [];
  for (const login of await unresolvedThreadAuthors(deps.octokit, deps.ctx.repo, pr))
    if (login === '' || (await canWrite(deps, login))) out.push(login);
  return out;
}

async function requiredChecks(deps: Deps, branch: string): Promise<MergeFacts['required']> {
  try {
    return await readRequiredChecks(deps.octokit, deps.ctx.repo, branch);
  } catch (error) {
    // No such branch or no access to it: nothing required by protection; every reported check counts.
    if (statusOf(error) === 404 || statusOf(error) === 403) return { strict: false, contexts: [] };
    throw error;
  }
}

export interface Gathered {
  facts: MergeFacts;
  nodeId: string;
  createdAt: string;
  defaultBranch: string;
  baseRef: string;
  headRef: string;
  /** The breaker's reason when it just tripped and no pause was noted yet. */
  newlyPaused?: string;
}

async function gather(deps: Deps, issue: number, task: TaskDoc & { pr: number }): Promise<Gathered> {
  const { octokit, ctx, config } = deps;
  const pull = await readPull(octokit, ctx.repo, task.pr);
  const settings = await readRepoSettings(octokit, ctx.repo);
  const limits = await readMergeLimits(deps);
  const tripped =
    limits.streak >= config.circuitBreakerFailures
      ? `merging is paused: ${limits.streak} failed or reverted tasks in a row (circuit-breaker-failures: ${config.circuitBreakerFailures}). A maintainer's \`/pilot resume\` resumes it.`
      : undefined;
  const facts: MergeFacts = {
    task: { status: task.status, headSha: task.headSha, pr: task.pr },
    pull,
    autoMergeAllowed: settings.autoMerge,
    required: await requiredChecks(deps, pull.baseRef),
    checks: pull.state === 'open' ? await readCheckRuns(octokit, ctx.repo, pull.headSha) : [],
    changesRequestedBy: pull.state === 'open' ? await blockingReviewers(deps, pull.number) : [],
    unresolvedThreadsBy: pull.state === 'open' ? await blockingThreads(deps, pull.number) : [],
    limits: {
      mergesLastHour: limits.mergesLastHour,
      maxPerHour: config.maxMergesPerHour,
      breakerTripped: tripped,
    },
    environments: await environmentsOf(deps, issue, pull.baseRef),
  };
  const { nodeId, createdAt, baseRef, headRef } = pull;
  const newlyPaused = tripped && !limits.pausedNoted ? tripped : undefined;
  return { facts, nodeId, createdAt, baseRef, headRef, defaultBranch: settings.defaultBranch, newlyPaused };
}

/** The breaker tripped: note it in the ledger once, and tell whoever listens (`autopilot.paused`). */
async function notePause(deps: Deps, issue: number, reason: string, url: string): Promise<void> {
  await appendLedger(deps, [autopilotRecord(deps, 'paused', { issue })]);
  core.warning(`Merge autopilot: ${reason}`);
  await announce(deps, { event: 'autopilot.paused', issue, url, status: 'pr_open', summary: reason });
}

/** Tries to merge the task's pull request; returns the tracking comment as it now stands. */
export async function autoMerge(
  deps: Deps,
  issue: number,
  tracking: TrackingComment,
): Promise<TrackingComment> {
  const { task } = tracking;
  if (deps.config.autopilot !== 'merge' || task.status !== 'pr_open' || !task.pr) return tracking;
  try {
    const gathered = await gather(deps, issue, { ...task, pr: task.pr });
    if (gathered.newlyPaused) await notePause(deps, issue, gathered.newlyPaused, tracking.url);
    const decision = decideMerge(gathered.facts);
    core.info(`Merge autopilot on #${task.pr}: ${JSON.stringify(decision)}`);
    const acted = await actOn(deps, { issue, task: { ...task, pr: task.pr }, gathered, decision });
    return await report(deps, issue, tracking, acted);
  } catch (error) {
    core.warning(`Merge autopilot: could not attempt the merge of #${task.pr}: ${failureMessage(error)}`);
    return tracking;
  }
}

/** Rewrites the tracking comment: the same text, this attempt's section, and the task as it now is. */
async function report(
  deps: Deps,
  issue: number,
  tracking: TrackingComment,
  acted: Acted,
): Promise<TrackingComment> {
  const { octokit, ctx } = deps;
  const { data } = await octokit.rest.issues.getComment({ ...ctx.repo, comment_id: tracking.id });
  const body = data.body ?? '';
  const cut = body.lastIndexOf(MARKER_PREFIX);
  const visible = (cut < 0 ? body : body.slice(0, cut)).trimEnd();
  const text = withMergeSection(visible, acted.note as MergeNote, acted.tokenNote);
  const task = { ...acted.task, rev: acted.task.rev + 1 };
  return writeTracking(octokit, ctx.repo, issue, tracking, text, task, markerKey(deps, issue));
}
