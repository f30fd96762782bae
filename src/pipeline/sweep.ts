// The sweep (`schedule`, or `workflow_dispatch` without an issue): repairs what missed events and lost
// runners leave behind. Labelled issues with no task are dispatched; `running` tasks whose run ended
// are marked failed; stale leases are broken; queued commands nobody is serving are dispatched; open
// Pilot PRs' checks are polled so a missed `workflow_run` is visible. It writes a queue summary.
import * as core from '@actions/core';
import { BRANCH_PREFIX, DISPATCH_EVENT_TYPE } from '../constants.js';
import { toDispatchPayload } from '../events/dispatch.js';
import type { Actor, WorkIntent } from '../events/intent.js';
import { renderTracking } from '../report/comment.js';
import { type Outcome, writeSummary } from '../report/outputs.js';
import { leaseHead, releaseLease, runIsLive } from '../state/lease.js';
import { pendingCommands } from '../state/queue.js';
import { claimedHolder } from '../state/task.js';
import { findTracking, type TrackingComment, writeTracking } from '../state/tracking.js';
import { runUrlOf } from './context.js';
import { budgetOf, keepDashboard } from './dashboard.js';
import { type Deps, dispatchSigner, markerKey } from './deps.js';
import { keepApprovedLesson } from './memory-lessons.js';
import { autoMerge } from './merge.js';
import { reportMetrics } from './metrics.js';
import { otherRuns } from './other-runs.js';
import { foldLedger } from './record-run.js';
import { type Probe, probeModelApi, resumePaused } from './resume-paused.js';

interface Row {
  issue: number;
  status: string;
  queued: number;
  actions: string[];
}

async function labelledIssues(deps: Deps): Promise<number[]> {
  const issues = await deps.octokit.paginate(deps.octokit.rest.issues.listForRepo, {
    ...deps.ctx.repo,
    state: 'open',
    labels: deps.config.triggerLabel,
    per_page: 100,
  });
  return issues.filter((i) => !i.pull_request).map((i) => i.number);
}

/** Who added the trigger label last: the dispatched run re-authorizes them, as for a live event. */
async function labeller(deps: Deps, issue: number): Promise<Actor | null> {
  const events = await deps.octokit.paginate(deps.octokit.rest.issues.listEventsForTimeline, {
    ...deps.ctx.repo,
    issue_number: issue,
    per_page: 100,
  });
  const label = deps.config.triggerLabel.toLowerCase();
  const last = events
    .filter((e) => 'event' in e && e.event === 'labeled')
    .filter((e) => ((e as { label?: { name?: string } }).label?.name ?? '').toLowerCase() === label)
    .at(-1) as { actor?: { login: string; id: number; type?: string } } | undefined;
  return last?.actor ? { login: last.actor.login, id: last.actor.id, type: last.actor.type ?? 'User' } : null;
}

async function dispatch(deps: Deps, intent: WorkIntent): Promise<void> {
  await deps.octokit.rest.repos.createDispatchEvent({
    ...deps.ctx.repo,
    event_type: DISPATCH_EVENT_TYPE,
    client_payload: toDispatchPayload(intent, deps.ctx.runId, dispatchSigner(deps)),
  });
}

function workIntent(issue: number, sender: Actor, extra: Partial<WorkIntent>): WorkIntent {
  return {
    kind: 'work',
    command: 'run',
    source: 'schedule',
    trustedEvent: true,
    issue,
    isPullRequest: false,
    sender,
    args: '',
    rerun: false,
    ...extra,
  };
}

async function markLost(deps: Deps, issue: number, tracking: TrackingComment, holder: number): Promise<void> {
  const task = { ...tracking.task, status: 'failed' as const, rev: tracking.task.rev + 1 };
  const view = renderTracking(task, {
    headline: 'the run ended without finishing',
    body: `Run ${holder} is no longer in progress and never reported back (a lost runner or a crash before its post step). Comment \`/pilot retry\` to continue.`,
    links: [
      ['lost run', runUrlOf(deps.ctx, holder)],
      ['sweep', deps.ctx.runUrl],
    ],
  });
  await writeTracking(deps.octokit, deps.ctx.repo, issue, tracking, view, task, markerKey(deps, issue));
}

/** A run that ended while the task said running is marked failed; stale or unclaimed leases are broken. */
async function repairLease(
  deps: Deps,
  issue: number,
  tracking: TrackingComment,
  othersLive: number,
  row: Row,
) {
  const { octokit, ctx } = deps;
  let leased = await leaseHead(octokit, ctx.repo, issue);
  const holder = claimedHolder(tracking.task);
  if (holder !== undefined && !(await runIsLive(octokit, ctx.repo, holder))) {
    await markLost(deps, issue, tracking, holder);
    row.status = 'failed';
    row.actions.push(`run ${holder} ended: marked failed`);
    core.info(`#${issue}: run ${holder} ended while the task said running; marked failed`);
    if (leased) {
      await releaseLease(octokit, ctx.repo, issue, leased, ctx.runId);
      core.info(`#${issue}: broke the stale lease of run ${holder}`);
      leased = null;
    }
  } else if (leased && holder === undefined && othersLive === 0) {
    // Nobody claims it and no Pilot run is going at all: its holder died before writing the marker.
    await releaseLease(octokit, ctx.repo, issue, leased, ctx.runId);
    core.info(`#${issue}: broke a lease no run claims while no run is in progress`);
    row.actions.push('broke an unclaimed lease');
    leased = null;
  }
  return leased;
}

/** How the sweep resumes a paused task: one probe per sweep, `/pilot retry` for the labeller. */
function resumeStep(deps: Deps, issue: number, probe: () => Promise<Probe>) {
  return {
    probe,
    labeller: () => labeller(deps, issue),
    dispatch: (sender: Actor) => dispatch(deps, workIntent(issue, sender, { command: 'retry' })),
  };
}

/** The model API probe, asked at most once per sweep and only if some task is paused. */
function onceProbe(deps: Deps): () => Promise<Probe> {
  let asked: Promise<Probe> | undefined;
  return () => {
    asked ??= probeModelApi(deps);
    return asked;
  };
}

async function sweepIssue(
  deps: Deps,
  issue: number,
  othersLive: number,
  probe: () => Promise<Probe>,
): Promise<Row> {
  const { octokit, ctx } = deps;
  const row: Row = { issue, status: '—', queued: 0, actions: [] };
  const tracking = await findTracking(octokit, ctx.repo, issue, deps.config.botLogin, markerKey(deps, issue));
  if (!tracking) {
    const sender = await labeller(deps, issue);
    if (!sender) return { ...row, actions: ['no task and no label event to act on'] };
    await dispatch(deps, workIntent(issue, sender, { source: 'label' }));
    core.info(
      `#${issue} is labelled but has no task (a missed event): dispatched a run for @${sender.login}`,
    );
    return { ...row, status: 'none', actions: ['dispatched (missed label event)'] };
  }
  row.status = tracking.task.status;
  // No webhook fires on a reaction: a maintainer's 👍 on a proposed lesson is read here too.
  row.actions.push(...(await keepApprovedLesson(deps, issue, tracking)));
  const leased = await repairLease(deps, issue, tracking, othersLive, row);
  const pending = await pendingCommands(
    octokit,
    ctx.repo,
    issue,
    deps.config.botLogin,
    markerKey(deps, issue),
  );
  row.queued = pending.length;
  if (!pending.length && !leased) await retryMerge(deps, row, tracking);
  if (!pending.length && !leased && tracking.task.status === 'paused') {
    const action = await resumePaused(deps, issue, tracking, resumeStep(deps, issue, probe));
    core.info(`#${issue}: ${action}`);
    row.actions.push(action);
  }
  if (pending.length && !leased) {
    const [oldest] = pending;
    // The dispatched run takes the lease and serves every queued command in timeline order.
    await dispatch(
      deps,
      workIntent(issue, oldest.author, {
        command: oldest.command,
        args: oldest.args,
        commentId: oldest.commentId,
        source: oldest.source,
      }),
    );
    row.actions.push(`dispatched ${pending.length} queued command(s)`);
  }
  return row;
}

/** `autopilot: merge`: the sweep retries merges that waited (checks, the hourly cap, a pause). */
async function retryMerge(deps: Deps, row: Row, tracking: TrackingComment): Promise<void> {
  if (tracking.task.status !== 'pr_open') return;
  const after = await autoMerge(deps, row.issue, tracking);
  if (after.task.status !== tracking.task.status) row.actions.push(`merge autopilot: ${after.task.status}`);
  row.status = after.task.status;
}

type Checks = 'passing' | 'failing' | 'pending' | 'no checks';

async function checksOf(deps: Deps, sha: string): Promise<{ state: Checks; failing: string[] }> {
  const runs = await deps.octokit.paginate(deps.octokit.rest.checks.listForRef, {
    ...deps.ctx.repo,
    ref: sha,
    per_page: 100,
  });
  const failing = runs
    .filter((r) => ['failure', 'timed_out', 'cancelled', 'action_required'].includes(r.conclusion ?? ''))
    .map((r) => r.name);
  if (failing.length) return { state: 'failing', failing };
  if (runs.some((r) => r.status !== 'completed')) return { state: 'pending', failing };
  return { state: runs.length ? 'passing' : 'no checks', failing };
}

async function pollPulls(deps: Deps): Promise<Array<[string, string]>> {
  const pulls = await deps.octokit.paginate(deps.octokit.rest.pulls.list, {
    ...deps.ctx.repo,
    state: 'open',
    per_page: 100,
  });
  const rows: Array<[string, string]> = [];
  for (const pr of pulls) {
    // Only Pilot's own branches in this repository (a fork can name a branch `pilot/…` too).
    if (!pr.head.ref.startsWith(BRANCH_PREFIX) || pr.head.repo?.full_name !== deps.ctx.repository) continue;
    const checks = await checksOf(deps, pr.head.sha);
    if (checks.state === 'failing') {
      core.warning(
        `PR #${pr.number} (${pr.head.ref}) has failing checks: ${checks.failing.join(', ')}. A CI fix needs \`/pilot fix\` until autopilot handles it.`,
      );
    }
    rows.push([
      `PR #${pr.number}`,
      `${checks.state}${checks.failing.length ? ` (${checks.failing.join(', ')})` : ''}`,
    ]);
  }
  return rows;
}

export async function sweep(deps: Deps): Promise<Outcome> {
  const issues = await labelledIssues(deps);
  const others = await otherRuns(deps, ['queued', 'in_progress']);
  const rows: Row[] = [];
  const probe = onceProbe(deps);
  for (const issue of issues) rows.push(await sweepIssue(deps, issue, others, probe));
  const prs = await pollPulls(deps);
  const queued = rows.reduce((n, r) => n + r.queued, 0);
  await foldLedger(deps); // records of runs that ended without folding them
  const dashboard = await keepDashboard(deps, rows, budgetOf(deps.config));
  const metricsFile = await reportMetrics(deps);
  await writeSummary(
    `Pilot sweep: ${issues.length} labelled issue(s), ${queued} queued command(s), ${prs.length} open Pilot PR(s)`,
    [
      ...rows.map((r): [string, string] => [
        `#${r.issue}`,
        `${r.status}; ${r.queued} queued${r.actions.length ? `; ${r.actions.join('; ')}` : ''}`,
      ]),
      ...prs,
      ['Dashboard', dashboard],
    ],
  );
  core.info(`Sweep done: ${rows.filter((r) => r.actions.length).length} issue(s) needed attention`);
  return { conclusion: 'success', metricsFile };
}
