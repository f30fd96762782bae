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
import * as core from '@actions/core';
import { LEASE_REF_PREFIX } from '../constants.js';
import { type Octokit, type Repo, statusOf } from '../github/client.js';
import { claimedHolder, type TaskDoc } from './task.js';

export type Acquired = { acquired: true; broke?: number } | { acquired: false; holder?: number };

export function leaseRef(issue: number): string {
  return `${LEASE_REF_PREFIX}${issue}`;
}

/** `{ref}` in the REST path is the name without `refs/`. */
function refPath(issue: number): string {
  return leaseRef(issue).replace(/^refs\//, '');
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

export async function leaseExists(octokit: Octokit, repo: Repo, issue: number): Promise<boolean> {
  try {
    await octokit.rest.git.getRef({ ...repo, ref: refPath(issue) });
    return true;
  } catch (error) {
    if (statusOf(error) === 404) return false;
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
  if (await create(octokit, repo, req.issue, req.sha)) return { acquired: true };
  const holder = req.task ? claimedHolder(req.task) : undefined;
  if (holder === undefined) return { acquired: false };
  if (holder !== req.runId && (await runIsLive(octokit, repo, holder))) return { acquired: false, holder };
  core.info(
    holder === req.runId
      ? `Lease for #${req.issue} is held by an earlier attempt of this run: taking it over`
      : `Breaking the stale lease for #${req.issue}: run ${holder} is no longer in progress`,
  );
  await releaseLease(octokit, repo, req.issue);
  return (await create(octokit, repo, req.issue, req.sha))
    ? { acquired: true, broke: holder }
    : { acquired: false };
}

/** Deletes the lease; a lease that is already gone is fine. */
export async function releaseLease(octokit: Octokit, repo: Repo, issue: number): Promise<void> {
  try {
    await octokit.rest.git.deleteRef({ ...repo, ref: refPath(issue) });
  } catch (error) {
    // GitHub answers 422 "Reference does not exist" (the emulator too); 404 on some paths.
    if (statusOf(error) !== 422 && statusOf(error) !== 404) throw error;
  }
}
