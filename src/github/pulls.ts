import { messageOf } from '../errors.js';
import type { Octokit, Repo } from './client.js';
import { statusOf } from './client.js';

export interface PullRef {
  number: number;
  url: string;
  created: boolean;
}

export interface PullRequestDraft {
  branch: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  labels: string[];
}

/** GitHub's wording when Actions may not open PRs; we quote the setting that fixes it. */
const ACTIONS_PR_SETTING =
  'the repository (or organisation) setting "Allow GitHub Actions to create and approve pull requests" ' +
  'is off. Turn it on under Settings → Actions → General → Workflow permissions, or give Pilot a GitHub App ' +
  'token (input `github-token`).';

export class PullRequestRefused extends Error {}

export async function findOpenPull(octokit: Octokit, repo: Repo, branch: string) {
  const { data } = await octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: 'open' });
  return data[0] ?? null;
}

/** Opens the task's PR, or updates the one already open for the branch (a re-run never duplicates it). */
export async function upsertPull(octokit: Octokit, repo: Repo, draft: PullRequestDraft): Promise<PullRef> {
  const existing = await findOpenPull(octokit, repo, draft.branch);
  if (existing) {
    await octokit.rest.pulls.update({
      ...repo,
      pull_number: existing.number,
      title: draft.title,
      body: draft.body,
    });
    return { number: existing.number, url: existing.html_url, created: false };
  }
  try {
    const { data } = await octokit.rest.pulls.create({
      ...repo,
      head: draft.branch,
      base: draft.base,
      title: draft.title,
      body: draft.body,
      draft: draft.draft,
    });
    if (draft.labels.length) {
      await octokit.rest.issues.addLabels({ ...repo, issue_number: data.number, labels: draft.labels });
    }
    return { number: data.number, url: data.html_url, created: true };
  } catch (error) {
    const message = messageOf(error);
    if (statusOf(error) === 403 && /not permitted to create or approve pull requests/i.test(message)) {
      throw new PullRequestRefused(`GitHub refused to open the pull request: ${ACTIONS_PR_SETTING}`);
    }
    throw error;
  }
}
