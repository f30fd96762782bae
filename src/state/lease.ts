// The per-issue lease: `refs/pilot/leases/issue-<n>`, created with `POST /git/refs`. GitHub answers 422
// when the ref exists, so creating it is an atomic test-and-set that holds across parallel jobs even
// without the workflow's concurrency group (FACTS: "POST /git/refs answers 422 when the ref exists").
//
// Who holds it: a ref can only point at a commit (the default branch's head here), so the holder is
// not in the ref. It is the tracking comment's claim instead: a run that holds the lease writes the
// marker with `status: running` and itself as the newest `work` run before it starts the agent, and
// every run ends (main or post step) by writing another status. So a lease is stale only when the
// marker claims `running` for a run that GitHub says is no longer queued or in progress (a lost
// runner, a crash before the post step). A lease with no `running` claim is treated as held: its
// holder may be between creating the ref and writing the marker. The sweep clears those when no Pilot
// run is in progress at all.
//
// Whose it is: the ref points at a commit made for this holder alone (a one-file tree naming the run
// and a random nonce), so its sha is the holder's handle. Breaking and releasing are compare-and-swap
// on that sha through `PATCH /git/refs` with `force: false`, which GitHub accepts only as a
// fast-forward: breaking moves the ref from the stale holder's commit to a child of it made for the
// new holder; releasing moves it from the holder's own commit to a "released" child, then deletes it.
// A run whose lease was broken (a re-run attempt took over, the sweep judged it lost) therefore can
// never release, or break, the lease its successor holds.
import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import { LEASE_REF_PREFIX } from '../constants.js';
import { type Octokit, type Repo, statusOf } from '../github/client.js';
import { claimedHolder, type TaskDoc } from './task.js';

/** `lease` is the sha of the holder's own lease commit: the handle `releaseLease` needs. */
export type Acquired =
  | { acquired: true; lease: string; broke?: number }
  | { acquired: false; holder?: number };

export function leaseRef(issue: number): string {
  return `${LEASE_REF_PREFIX}${issue}`;
}

/** `{ref}` in the REST path is the name without `refs/`. */
function refPath(issue: number): string {
  return leaseRef(issue).replace(/^refs\//, '');
}

/** A commit no other holder can have: its tree names the run and a random nonce. */
async function holderCommit(
  octokit: Octokit,
  repo: Repo,
  what: { issue: number; runId: number; parent: string; released?: boolean },
): Promise<string> {
  const nonce = randomUUID();
  const verb = what.released ? 'released by' : 'held by';
  const content = `Pilot lease on #${what.issue} ${verb} run ${what.runId}\n${nonce}\n`;
  const { data: tree } = await octokit.rest.git.createTree({
    ...repo,
    tree: [{ path: 'lease', mode: '100644', type: 'blob', content }],
  });
  const { data } = await octokit.rest.git.createCommit({
    ...repo,
    message: content,
    tree: tree.sha,
    parents: [what.parent],
  });
  return data.sha;
}

async function create(octokit: Octokit, repo: Repo, issue: number, sha: string): Promise<boolean> {
  try {
    await octokit.rest.git.createRef({ ...repo, ref: leaseRef(issue), sha });
    return true;
  } catch (error) {
    if (statusOf(error) === 422) return false;
    throw error;
  }
}

/** Compare-and-swap: moves the ref to `to` only if it still points at `to`'s parent (a fast-forward). */
async function swap(octokit: Octokit, repo: Repo, issue: number, to: string): Promise<boolean> {
  try {
    await octokit.rest.git.updateRef({ ...repo, ref: refPath(issue), sha: to, force: false });
    return true;
  } catch (error) {
    // 422 "Update is not a fast forward" (someone else's lease now) or "Reference does not exist".
    if (statusOf(error) === 422 || statusOf(error) === 404) return false;
    throw error;
  }
}

/** True when GitHub still runs (or is about to run) the workflow run. */
export async function runIsLive(octokit: Octokit, repo: Repo, runId: number): Promise<boolean> {
  try {
    const { data } = await octokit.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    return data.status !== 'completed';
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** The commit the lease points at (its holder's handle), or null when nobody holds it. */
export async function leaseHead(octokit: Octokit, repo: Repo, issue: number): Promise<string | null> {
  try {
    const { data } = await octokit.rest.git.getRef({ ...repo, ref: refPath(issue) });
    return data.object.sha;
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

export interface LeaseRequest {
  issue: number;
  /** The commit the ref points at (the default branch's head). */
  sha: string;
  /** This run; a holder with the same id is an earlier attempt of this run (a re-run). */
  runId: number;
  /** The marker as this run read it: who claims to be running. */
  task: TaskDoc | null;
}

export async function acquireLease(octokit: Octokit, repo: Repo, req: LeaseRequest): Promise<Acquired> {
  const mine = await holderCommit(octokit, repo, { ...req, parent: req.sha });
  if (await create(octokit, repo, req.issue, mine)) return { acquired: true, lease: mine };
  const holder = req.task ? claimedHolder(req.task) : undefined;
  if (holder === undefined) return { acquired: false };
  if (holder !== req.runId && (await runIsLive(octokit, repo, holder))) return { acquired: false, holder };
  const stale = await leaseHead(octokit, repo, req.issue);
  if (stale === null) {
    // Released between our create and now: an ordinary create again.
    return (await create(octokit, repo, req.issue, mine))
      ? { acquired: true, lease: mine }
      : { acquired: false };
  }
  core.info(
    holder === req.runId
      ? `Lease for #${req.issue} is held by an earlier attempt of this run: taking it over`
      : `Breaking the stale lease for #${req.issue}: run ${holder} is no longer in progress`,
  );
  // Only the lease we judged stale is replaced: if it changed hands meanwhile, the swap fails.
  const taken = await holderCommit(octokit, repo, { ...req, parent: stale });
  return (await swap(octokit, repo, req.issue, taken))
    ? { acquired: true, lease: taken, broke: holder }
    : { acquired: false };
}

/**
 * Releases the lease only while it is still `lease` (the holder's own commit): a lease that has
 * changed hands, or is already gone, is left alone. Returns whether this call released it.
 */
export async function releaseLease(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  lease: string,
  runId = 0,
): Promise<boolean> {
  const released = await holderCommit(octokit, repo, { issue, runId, parent: lease, released: true });
  if (!(await swap(octokit, repo, issue, released))) {
    core.info(`The lease for #${issue} is no longer this run's: left as it is`);
    return false;
  }
  try {
    await octokit.rest.git.deleteRef({ ...repo, ref: refPath(issue) });
  } catch (error) {
    // GitHub answers 422 "Reference does not exist" (the emulator too); 404 on some paths.
    if (statusOf(error) !== 422 && statusOf(error) !== 404) throw error;
  }
  return true;
}
