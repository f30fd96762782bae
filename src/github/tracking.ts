// The ONE tracking comment per issue. Only a comment written by Pilot's identity counts: anyone can
// paste a marker into their own comment.
import * as core from '@actions/core';
import { readMarker, renderMarker, replaceMarker, type TaskDoc } from '../state/task.js';
import { type Octokit, type Repo, statusOf } from './client.js';

export interface TrackingComment {
  id: number;
  url: string;
  task: TaskDoc;
}

function sameLogin(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

type ListedComment = { id: number; html_url: string; body?: string | null; user?: { login: string } | null };

/** Pilot's own marker comments, oldest first (the oldest is the tracking comment). */
function pilotMarkers(comments: ListedComment[], pilotLogin: string): ListedComment[] {
  return comments.filter((c) => {
    if (!readMarker(c.body ?? '').found) return false;
    if (sameLogin(c.user?.login, pilotLogin)) return true;
    core.info(`Ignoring a Pilot marker in comment ${c.id} by ${c.user?.login}: not written by ${pilotLogin}`);
    return false;
  });
}

function listComments(octokit: Octokit, repo: Repo, issue: number): Promise<ListedComment[]> {
  return octokit.paginate(octokit.rest.issues.listComments, { ...repo, issue_number: issue, per_page: 100 });
}

export async function findTracking(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  pilotLogin: string,
): Promise<TrackingComment | null> {
  for (const comment of pilotMarkers(await listComments(octokit, repo, issue), pilotLogin)) {
    const marker = readMarker(comment.body ?? '');
    if ('error' in marker) {
      core.warning(
        `Tracking comment ${comment.id} has an unreadable marker (${marker.error}); starting a fresh task`,
      );
      continue;
    }
    if (marker.found) return { id: comment.id, url: comment.html_url, task: marker.task };
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
): Promise<TrackingComment> {
  const body = `${visible}\n\n${renderMarker(task)}`;
  if (existing) {
    const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    return { id: data.id, url: data.html_url, task };
  }
  const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: issue, body });
  const login = data.user?.login;
  return login
    ? settleDuplicate(octokit, repo, issue, { id: data.id, url: data.html_url, task }, body, login)
    : { id: data.id, url: data.html_url, task };
}

/**
 * Two runs that both found no tracking comment (simultaneous commands) both create one. The oldest
 * wins: a newer one deletes itself and writes into the oldest, so every reader converges on one.
 */
async function settleDuplicate(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  mine: TrackingComment,
  body: string,
  login: string,
): Promise<TrackingComment> {
  const oldest = pilotMarkers(await listComments(octokit, repo, issue), login)[0];
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
): Promise<TrackingComment> {
  const { data: current } = await octokit.rest.issues.getComment({ ...repo, comment_id: tracking.id });
  const body = replaceMarker(current.body ?? '', task);
  const { data } = await octokit.rest.issues.updateComment({ ...repo, comment_id: tracking.id, body });
  return { id: data.id, url: data.html_url, task };
}
