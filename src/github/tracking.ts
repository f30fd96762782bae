// The ONE tracking comment per issue. Only a comment written by Pilot's identity counts: anyone can
// paste a marker into their own comment.
import * as core from '@actions/core';
import { readMarker, renderMarker, type TaskDoc } from '../state/task.js';
import type { Octokit, Repo } from './client.js';

export interface TrackingComment {
  id: number;
  url: string;
  task: TaskDoc;
}

function sameLogin(a: string | undefined, b: string): boolean {
  return (a ?? '').toLowerCase() === b.toLowerCase();
}

export async function findTracking(
  octokit: Octokit,
  repo: Repo,
  issue: number,
  pilotLogin: string,
): Promise<TrackingComment | null> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  for (const comment of comments) {
    const marker = readMarker(comment.body ?? '');
    if (!marker.found) continue;
    if (!sameLogin(comment.user?.login, pilotLogin)) {
      core.info(
        `Ignoring a Pilot marker in comment ${comment.id} by ${comment.user?.login}: not written by ${pilotLogin}`,
      );
      continue;
    }
    if ('error' in marker) {
      core.warning(
        `Tracking comment ${comment.id} has an unreadable marker (${marker.error}); starting a fresh task`,
      );
      continue;
    }
    return { id: comment.id, url: comment.html_url, task: marker.task };
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
  return { id: data.id, url: data.html_url, task };
}
