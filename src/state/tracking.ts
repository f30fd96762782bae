// The ONE tracking comment per issue. Only a comment written by Pilot's identity whose trailing marker
// verifies under pilot-state-key counts: anyone can paste a marker into their own comment, and every
// workflow using the default token writes as the same `github-actions[bot]` as Pilot.
import * as core from '@actions/core';
import { BRANCH_PREFIX } from '../constants.js';
import { type Octokit, type Repo, statusOf } from '../github/client.js';
import { escapeCommentDelimiters } from '../security/outgoing.js';
import { reportForgedState } from './forged.js';
import { type MarkerKey, readMarker, renderMarker, replaceMarker, type TaskDoc } from './task.js';

export interface TrackingComment {
  id: number;
  url: string;
  task: TaskDoc;
}

function sameLogin(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

type ListedComment = { id: number; html_url: string; body?: string | null; user?: { login: string } | null };

/** Pilot's own authenticated marker comments, oldest first (the oldest is the tracking comment). */
async function pilotMarkers(
  comments: ListedComment[],
  pilotLogin: string,
  key: MarkerKey,
): Promise<Array<{ comment: ListedComment; task: TaskDoc | null }>> {
  const found: Array<{ comment: ListedComment; task: TaskDoc | null }> = [];
  for (const c of comments) {
    const marker = readMarker(c.body ?? '', key);
    if (!marker.found) continue;
    if (!sameLogin(c.user?.login, pilotLogin)) {
      core.info(
        `Ignoring a Pilot marker in comment ${c.id} by ${c.user?.login}: not written by ${pilotLogin}`,
      );
      continue;
    }
    if ('forged' in marker && marker.forged) {
      await reportForgedState('marker', c.id, marker.error);
      continue;
    }
    // A task written by a newer Pilot (a version or status this one does not know) is never replaced
    // by a fresh one: that would lose its branch, PR and session, and start the work over.
    if ('future' in marker && marker.future) {
      throw new Error(
        `Pilot's task for #${key.issue} (comment ${c.id}) was written by a newer Pilot: ${marker.error}. ` +
          'Update the Pilot version this workflow uses; this run changes nothing.',
      );
    }
    found.push({ comment: c, task: 'task' in marker ? marker.task : null });
    if ('error' in marker) {
      core.warning(
        `Tracking comment ${c.id} has an unreadable marker (${marker.error}); starting a fresh task`,
      );
    }
  }
  return found;
}

function listComments(octokit: Octokit, repo: Repo, issue: number): Promise<ListedComment[]> {
  return octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
}

export async function findTracking(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  pilotLogin: string,
  key: MarkerKey,
): Promise<TrackingComment | null> {
  for (const { comment, task } of await pilotMarkers(
    await listComments(octokit, repo, issue),
    pilotLogin,
    key,
  )) {
    if (task) return { id: comment.id, url: comment.html_url, task };
  }
  return null;
}

/** Writes the visible text plus the marker: updates the known comment or creates the first one. */
export async function writeTracking(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  existing: { id: number } | null,
  visible: string,
  task: TaskDoc,
  key: MarkerKey,
): Promise<TrackingComment> {
  // Whatever the visible text quotes, it cannot open or close a hidden comment: the marker stays last.
  const body = `${escapeCommentDelimiters(visible)}\n\n${renderMarker(task, key)}`;
  if (existing) {
    const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return { id: data.id, url: data.html_url, task };
  }
  const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body });
  const login = data.user?.login;
  return login
    ? settleDuplicate(octokit, repo, { id: data.id, url: data.html_url, task }, body, login, key)
    : { id: data.id, url: data.html_url, task };
}

/**
 * Two runs that both found no tracking comment (simultaneous commands) both create one. The oldest
 * wins: a newer one deletes itself and writes into the oldest, so every reader converges on one.
 */
async function settleDuplicate(
  octokit: Octokit,
  repo: Repo,
  mine: TrackingComment,
  body: string,
  login: string,
  key: MarkerKey,
): Promise<TrackingComment> {
  const oldest = (await pilotMarkers(await listComments(octokit, repo, key.issue), login, key))[0]?.comment;
  if (!oldest || oldest.id === mine.id) return mine;
  core.info(`Another run created tracking comment ${oldest.id} first: using it instead of ${mine.id}`);
  await octokit.rest.issues.deleteComment({ ...repo, comment_id: mine.id }).catch((error: unknown) => {
    if (statusOf(error) !== 404) throw error;
  });
  const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: oldest.id, body });
  return { id: data.id, url: data.html_url, task: mine.task };
}

/** Rewrites only the marker of the tracking comment, keeping what it shows. */
export async function updateMarker(
  octokit: Octokit,
  repo: Repo,
  tracking: { id: number },
  task: TaskDoc,
  key: MarkerKey,
): Promise<TrackingComment> {
  const { data: current } = await octokit.rest.issues.getComment({ ...repo, comment_id: tracking.id });
  const body = replaceMarker(current.body ?? '', task, key);
  const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: tracking.id, body });
  return { id: data.id, url: data.html_url, task };
}

/**
 * With no authenticated marker, the task is rebuilt from what GitHub itself records: the open pull
 * request from this repository whose head is the issue's `pilot/issue-<n>-…` branch.
 */
export async function rebuildTask(
  octokit: Octokit,
  repo: Repo,
  issue: number,
): Promise<{ branch?: string; pr?: number }> {
  const prefix = `${BRANCH_PREFIX}issue-${issue}`;
  const pulls = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'open', per_page: 100 });
  const own = pulls.find(
    (p) =>
      (p.head.ref === prefix || p.head.ref.startsWith(`${prefix}-`)) &&
      sameLogin(p.head.repo?.full_name, `${repo.owner}/${repo.repo}`),
  );
  if (!own) return {};
  core.info(`Rebuilt the task of #${issue} from GitHub: pull request #${own.number} on ${own.head.ref}`);
  return { branch: own.head.ref, pr: own.number };
}
