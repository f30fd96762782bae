// A CI follow-up in the work run, before any model spend: re-check that the failed run is on Pilot's
// last push, read the failed jobs and their logs, and decide: the bound is reached, the same failure
// came back, a never-seen failure in nothing Pilot changed gets one rerun (flake check), or the session
// resumes with the error region (work.ts runs the agent; finishCiDoc counts the round).
import { createHash } from 'node:crypto';
import * as core from '@actions/core';
import { messageOf } from '../errors.js';
import type { WorkIntent } from '../events/intent.js';
import { createGit, tokenEnv } from '../git/git.js';
import { failedJobs, jobLog, rerunFailedJobs } from '../github/actions-runs.js';
import { type CiExcerpt, extractExcerpt, namesChangedPath } from '../report/ci-excerpt.js';
import { boundView, type CiFacts, rerunView, sameFailureView } from '../report/ci-words.js';
import { renderTracking, type TrackingView } from '../report/comment.js';
import type { Outcome } from '../report/outputs.js';
import { redact } from '../security/redact.js';
import { type TaskDoc, withRun } from '../state/task.js';
import { findTracking, type TrackingComment, writeTracking } from '../state/tracking.js';
import { runUrlOf } from './context.js';
import { type Deps, markerKey } from './deps.js';

/** What the fix run gives the agent and records afterwards. */
export interface CiFix {
  runId: number;
  runUrl: string;
  signature: string;
  excerpts: CiExcerpt[];
}

export type CiStart = { kind: 'fix'; fix: CiFix } | { kind: 'done'; outcome: Outcome };

export type CiDecision = 'bound' | 'same' | 'rerun' | 'fix';

/** The short hash a signature is remembered by (ciSeen). */
export function signatureHash(signature: string): string {
  return createHash('sha256').update(signature).digest('hex').slice(0, 12);
}

/**
 * The rule, pure: the bound first (the 4th failure with max 3 starts nothing), then the flake check's
 * own rerun failing (a real failure: fix it), then the same failure right after a fix, then a failure
 * never seen on this task in nothing Pilot changed (rerun once), else fix.
 */
export function decideCi(
  task: Pick<TaskDoc, 'ciFixes' | 'ciRerun' | 'ciSignature' | 'ciSeen'>,
  now: { runId: number; signature: string; max: number; touchesChanges: boolean },
): CiDecision {
  if ((task.ciFixes ?? 0) >= now.max) return 'bound';
  if (task.ciRerun === now.runId) return 'fix';
  if (task.ciSignature === now.signature) return 'same';
  const seen = (task.ciSeen ?? []).includes(signatureHash(now.signature));
  if (!seen && !now.touchesChanges) return 'rerun';
  return 'fix';
}

const skip = (why: string, status?: TaskDoc['status']): CiStart => {
  core.info(`Pilot does not fix CI: ${why}`);
  return { kind: 'done', outcome: { conclusion: 'skipped', taskStatus: status } };
};

/** Reads the failed run and decides; `fix` hands the error region to the agent run. */
export async function startCiFix(deps: Deps, intent: WorkIntent): Promise<CiStart> {
  const { issue } = intent;
  if (deps.config.autopilot === 'off') return skip('autopilot is off');
  const runId = intent.ciRun?.id;
  if (!runId) return skip('the dispatch names no workflow run');
  const found = await findTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    deps.config.botLogin,
    markerKey(deps, issue),
  );
  // Checked again here: the gate checked the head when it dispatched, but Pilot may have pushed since.
  if (!found?.task.headSha || found.task.headSha !== intent.headSha)
    return skip(`run ${runId}'s head is not Pilot's last push on #${issue}`, found?.task.status);
  const excerpts = await readFailures(deps, runId);
  if (!excerpts.length) return release(deps, intent, found, `run ${runId} has no failed jobs`);
  const signature = excerpts[0].signature;
  const fix: CiFix = { runId, runUrl: runUrlOf(deps.ctx, runId), signature, excerpts };
  const facts = { runId, signature, max: deps.config.maxCiFixes };
  let decision = decideCi(found.task, { ...facts, touchesChanges: false });
  // Only a rerun candidate needs the branch's diff: a failure naming a path Pilot changed is Pilot's.
  if (decision === 'rerun') {
    const changed = await taskChanges(deps, found.task);
    const touchesChanges = excerpts.some((e) => namesChangedPath(e.text, changed));
    decision = decideCi(found.task, { ...facts, touchesChanges });
  }
  core.info(`CI run ${runId} failed (${redact(signature)}): ${decision}`);
  if (decision === 'fix') return { kind: 'fix', fix };
  return { kind: 'done', outcome: await settle(deps, intent, found, fix, decision) };
}

/** Nothing to fix after all: the `ci_fixing` the gate wrote goes back to `pr_open`, saying why. */
async function release(
  deps: Deps,
  intent: WorkIntent,
  found: TrackingComment,
  why: string,
): Promise<CiStart> {
  const { ctx } = deps;
  const status = found.task.status === 'ci_fixing' ? 'pr_open' : found.task.status;
  const task = withRun(
    { ...found.task, status },
    { id: ctx.runId, kind: 'work', at: new Date(deps.now()).toISOString() },
  );
  const view: TrackingView = { headline: `CI follow-up skipped: ${why}`, links: [['work run', ctx.runUrl]] };
  await writeCiView(deps, intent.issue, found, task, view);
  return skip(why, status);
}

/** The failed jobs' error regions, first failure first. */
async function readFailures(deps: Deps, runId: number): Promise<CiExcerpt[]> {
  const { octokit, ctx } = deps;
  const jobs = await failedJobs(octokit, ctx.repo, runId);
  const out: CiExcerpt[] = [];
  for (const job of jobs) {
    // Logs expire (GitHub keeps them 90 days by default) or are withheld: the job's name and step still help.
    const log = await jobLog(octokit, ctx.repo, job.id).catch(
      (error: unknown) => `##[error]Pilot could not read this job's log: ${messageOf(error)}`,
    );
    out.push(extractExcerpt({ name: job.name, failedStep: job.failedStep, log }));
  }
  return out;
}

/**
 * The paths the task's branch changes against the default branch (both tips, no merge base needed in
 * a shallow clone): what "Pilot changed" means for the flake rule. Pilot's own git, its own token.
 */
async function taskChanges(deps: Deps, task: TaskDoc): Promise<string[]> {
  if (!task.branch) return [];
  const git = createGit(deps.ctx.workspace);
  const auth = tokenEnv(deps.token, deps.ctx.serverUrl);
  const { data: repo } = await deps.octokit.rest.repos.get({ ...deps.ctx.repo });
  const refs = [repo.default_branch, task.branch];
  for (const ref of refs)
    await git.run(['fetch', '--no-tags', '--depth=1', 'origin', `+refs/heads/${ref}:refs/pilot-ci/${ref}`], {
      env: auth,
    });
  const diff = await git.run(['diff', '--name-only', '-z', ...refs.map((r) => `refs/pilot-ci/${r}`)]);
  return diff.stdout.split('\0').filter(Boolean);
}

const VIEWS = { bound: boundView, same: sameFailureView, rerun: rerunView } as const;

/** Writes what a no-agent decision means: needs_human (bound, same failure) or the pending rerun. */
async function settle(
  deps: Deps,
  intent: WorkIntent,
  found: TrackingComment,
  fix: CiFix,
  decision: Exclude<CiDecision, 'fix'>,
): Promise<Outcome> {
  const { ctx } = deps;
  if (decision === 'rerun') await rerunFailedJobs(deps.octokit, ctx.repo, fix.runId);
  const before = found.task;
  const task = withRun(
    {
      ...before,
      status: decision === 'rerun' ? 'ci_fixing' : 'needs_human',
      ciSignature: fix.signature,
      ciSeen: seenWith(before, fix.signature),
      ciRerun: decision === 'rerun' ? fix.runId : undefined,
    },
    { id: ctx.runId, kind: 'work', at: new Date(deps.now()).toISOString(), outcome: `ci-${decision}` },
  );
  const facts = ciFacts(deps, before.ciFixes ?? 0, fix, decision !== 'rerun');
  const view: TrackingView = { ...VIEWS[decision](facts), links: [['work run', ctx.runUrl]] };
  await writeCiView(deps, intent.issue, found, task, view);
  return { conclusion: 'success', taskStatus: task.status };
}

/** The task's tracking comment after a CI decision that started no agent. */
async function writeCiView(
  deps: Deps,
  issue: number,
  found: Parameters<typeof writeTracking>[3],
  task: TaskDoc,
  view: TrackingView,
): Promise<void> {
  await writeTracking(
    deps.octokit,
    deps.ctx.repo,
    issue,
    found,
    renderTracking(task, view),
    task,
    markerKey(deps, issue),
  );
}

function ciFacts(deps: Deps, used: number, fix: CiFix, withExcerpt: boolean): CiFacts {
  const excerpt = withExcerpt ? fix.excerpts[0]?.text : undefined;
  return { signature: fix.signature, runUrl: fix.runUrl, used, max: deps.config.maxCiFixes, excerpt };
}

function seenWith(task: TaskDoc, signature: string): string[] {
  const hash = signatureHash(signature);
  return [...(task.ciSeen ?? []).filter((h) => h !== hash), hash].slice(-10);
}

/** The task's CI fields once a fix run is over: one more round, this failure remembered. */
export function finishCiDoc(before: TaskDoc, fix: CiFix, doc: TaskDoc, committed: boolean): TaskDoc {
  const status = doc.status === 'pr_open' && !committed ? 'needs_human' : doc.status;
  return {
    ...doc,
    status,
    ciFixes: (before.ciFixes ?? 0) + 1,
    ciSignature: fix.signature,
    ciSeen: seenWith(before, fix.signature),
    ciRerun: undefined,
  };
}
