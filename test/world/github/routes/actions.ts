// Actions routes: workflow runs (get, list, cancel, rerun failed jobs), jobs, job logs, and check runs for a ref.
import { ApiError, notFound, paginate, type Route, type RouteContext } from '../http.js';
import { checkRunJson, jobJson, runJson } from '../shapes.js';
import type { Repo, Run } from '../state.js';
import { repoOf } from './lookup.js';

/** Where the emulator serves job logs; GitHub redirects to a signed blob URL the same way. */
export const JOB_LOG_PATH = '/_emulator/job-logs/';

function runOf(ctx: RouteContext, repo: Repo): Run {
  const run = ctx.state.runs.get(Number(ctx.params.run_id));
  if (!run || run.repoKey !== repo.key) throw notFound();
  return run;
}

/** `status` filters by status or by conclusion, as GitHub's list does. */
function runMatches(run: Run, q: URLSearchParams): boolean {
  const status = q.get('status');
  return (
    (!status || run.status === status || run.conclusion === status) &&
    (!q.get('branch') || run.headBranch === q.get('branch')) &&
    (!q.get('event') || run.event === q.get('event')) &&
    (!q.get('actor') || run.actor.login === q.get('actor')) &&
    (!q.get('head_sha') || run.headSha === q.get('head_sha'))
  );
}

function listRuns(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const runs = [...ctx.state.runs.values()]
    .filter((r) => r.repoKey === repo.key && runMatches(r, ctx.query))
    .sort((a, b) => b.id - a.id);
  const { items, headers } = paginate(runs, ctx);
  return {
    status: 200,
    headers,
    body: { total_count: runs.length, workflow_runs: items.map((r) => runJson(ctx.state, repo, r)) },
  };
}

function cancelRun(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const run = runOf(ctx, repo);
  if (run.status === 'completed') throw new ApiError(409, 'Cannot cancel a workflow run that is completed.');
  run.cancelRequested = true;
  return { status: 202, body: {} };
}

function rerunFailed(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const run = runOf(ctx, repo);
  if (run.status !== 'completed') throw new ApiError(403, 'This workflow is already running');
  ctx.state.rerunFailedJobs(run, ctx.caller.user);
  return { status: 201, body: {} };
}

function listJobs(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const run = runOf(ctx, repo);
  const { items, headers } = paginate(run.jobs, ctx);
  return {
    status: 200,
    headers,
    body: { total_count: run.jobs.length, jobs: items.map((j) => jobJson(ctx.state, repo, run, j)) },
  };
}

function jobLogs(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const job = ctx.state.jobs.get(Number(ctx.params.job_id));
  if (!job || ctx.state.runs.get(job.runId)?.repoKey !== repo.key) throw notFound();
  return { status: 302, headers: { location: `${ctx.state.apiUrl()}${JOB_LOG_PATH}${job.id}` } };
}

function checkRuns(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const sha = ctx.state.resolveRef(repo, ctx.params.ref);
  if (!sha) throw new ApiError(422, `No commit found for SHA: ${ctx.params.ref}`);
  const name = ctx.query.get('check_name');
  const status = ctx.query.get('status');
  const runs = repo.checkRuns.filter(
    (c) => c.head_sha === sha && (!name || c.name === name) && (!status || c.status === status),
  );
  const { items, headers } = paginate(runs, ctx);
  return {
    status: 200,
    headers,
    body: { total_count: runs.length, check_runs: items.map((c) => checkRunJson(ctx.state, repo, c)) },
  };
}

export const actionsRoutes: Route[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/runs', handler: listRuns },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}',
    handler: (ctx) => {
      const repo = repoOf(ctx);
      return { status: 200, body: runJson(ctx.state, repo, runOf(ctx, repo)) };
    },
  },
  { method: 'POST', path: '/repos/{owner}/{repo}/actions/runs/{run_id}/cancel', handler: cancelRun },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs', handler: listJobs },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/actions/runs/{run_id}/rerun-failed-jobs',
    handler: rerunFailed,
    // GitHub: "needs actions: write"; a token without it gets 403 (the reusable workflow grants it).
    scope: 'actions',
  },
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/jobs/{job_id}/logs', handler: jobLogs },
  { method: 'GET', path: '/repos/{owner}/{repo}/commits/{ref}/check-runs', handler: checkRuns },
];
