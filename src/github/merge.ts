// The GitHub calls of a merge: reading what decides it (the PR, the repository's auto-merge setting,
// the base branch's required checks, the head's check runs, reviews) and the three writes. Every
// write is atomic on the head Pilot pushed: the REST merge's `sha`, GraphQL's `expectedHeadOid`,
// update-branch's `expected_head_sha` — GitHub refuses when the head moved in between.
// https://docs.github.com/en/rest/pulls/pulls#merge-a-pull-request
// https://docs.github.com/en/graphql/reference/mutations#enablepullrequestautomerge
import { messageOf } from '../errors.js';
import { type Octokit, type Repo, statusOf } from './client.js';

export const MERGE_METHODS = ['squash', 'merge', 'rebase'] as const;
export type MergeMethod = (typeof MERGE_METHODS)[number];

export const ENABLE_AUTO_MERGE_MUTATION = `mutation PilotEnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!, $expectedHeadOid: GitObjectID!) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid}) {
    pullRequest { number }
  }
}`;

export interface PullFacts {
  number: number;
  nodeId: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  headSha: string;
  headRef: string;
  baseRef: string;
  mergeableState: string;
  mergeCommitSha: string | null;
  createdAt: string;
  mergedAt: string | null;
}

export async function readPull(octokit: Octokit, repo: Repo, pr: number): Promise<PullFacts> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pr });
  return {
    number: data.number,
    nodeId: data.node_id,
    state: data.state === 'open' ? 'open' : 'closed',
    merged: data.merged,
    draft: data.draft === true,
    headSha: data.head.sha,
    headRef: data.head.ref,
    baseRef: data.base.ref,
    mergeableState: data.mergeable_state,
    mergeCommitSha: data.merge_commit_sha,
    createdAt: data.created_at,
    mergedAt: data.merged_at,
  };
}

/** The repository's merge settings: whether auto-merge is allowed, and its default branch. */
export async function readRepoSettings(
  octokit: Octokit,
  repo: Repo,
): Promise<{ autoMerge: boolean; defaultBranch: string }> {
  const { data } = await octokit.rest.repos.get({ ...repo });
  return { autoMerge: data.allow_auto_merge === true, defaultBranch: data.default_branch };
}

/**
 * The base branch's required status checks, from `GET /branches/{branch}` (readable with
 * `contents: read`, unlike the protection endpoint, which needs administration rights).
 */
export async function readRequiredChecks(
  octokit: Octokit,
  repo: Repo,
  branch: string,
): Promise<{ strict: boolean; contexts: string[] }> {
  const { data } = await octokit.rest.repos.getBranch({ ...repo, branch });
  const rsc = data.protection?.required_status_checks;
  const contexts = [...(rsc?.contexts ?? []), ...(rsc?.checks ?? []).map((c) => c.context)];
  return { strict: rsc?.strict === true, contexts: [...new Set(contexts)] };
}

export async function readCheckRuns(octokit: Octokit, repo: Repo, sha: string) {
  const { data } = await octokit.rest.checks.listForRef({ ...repo, ref: sha, per_page: 100 });
  return data.check_runs.map((c) => ({ name: c.name, status: c.status, conclusion: c.conclusion }));
}

/** Each reviewer's latest review state (a later approval replaces an earlier change request). */
export async function latestReviews(octokit: Octokit, repo: Repo, pr: number): Promise<Map<string, string>> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...repo, pull_number: pr });
  const latest = new Map<string, string>();
  for (const r of reviews) {
    if (!r.user || r.state === 'COMMENTED' || r.state === 'PENDING') continue;
    latest.set(r.user.login, r.state);
  }
  return latest;
}

export type WriteResult = { ok: true } | { ok: false; status?: number; reason: string };

const failed = (error: unknown): WriteResult => ({
  ok: false,
  status: statusOf(error),
  reason: messageOf(error),
});

export async function mergePull(
  octokit: Octokit,
  repo: Repo,
  pr: { number: number; sha: string; method: MergeMethod },
): Promise<WriteResult> {
  try {
    await octokit.rest.pulls.merge({ ...repo, pull_number: pr.number, sha: pr.sha, merge_method: pr.method });
    return { ok: true };
  } catch (error) {
    return failed(error);
  }
}

export async function enableAutoMerge(
  octokit: Octokit,
  pr: { nodeId: string; sha: string; method: MergeMethod },
): Promise<WriteResult> {
  try {
    await octokit.graphql(ENABLE_AUTO_MERGE_MUTATION, {
      pullRequestId: pr.nodeId,
      mergeMethod: pr.method.toUpperCase(),
      expectedHeadOid: pr.sha,
    });
    return { ok: true };
  } catch (error) {
    return failed(error);
  }
}

export async function updateBranch(
  octokit: Octokit,
  repo: Repo,
  pr: { number: number; sha: string },
): Promise<WriteResult> {
  try {
    await octokit.rest.pulls.updateBranch({ ...repo, pull_number: pr.number, expected_head_sha: pr.sha });
    return { ok: true };
  } catch (error) {
    return failed(error);
  }
}

/** Deletes a merged PR's branch; a branch already gone is fine. */
export async function deleteBranch(octokit: Octokit, repo: Repo, branch: string): Promise<WriteResult> {
  try {
    await octokit.rest.git.deleteRef({ ...repo, ref: `heads/${branch}` });
    return { ok: true };
  } catch (error) {
    return statusOf(error) === 422 || statusOf(error) === 404 ? { ok: true } : failed(error);
  }
}

export const REVIEW_THREADS_QUERY = `query PilotReviewThreads($owner: String!, $repo: String!, $number: Int!) {
  repository(owner: $owner, name: $repo) {
    pullRequest(number: $number) {
      reviewThreads(first: 100) {
        nodes { isResolved comments(first: 1) { nodes { author { login } } } }
        pageInfo { hasNextPage }
      }
    }
  }
}`;

interface ThreadsAnswer {
  repository: {
    pullRequest: {
      reviewThreads: {
        nodes: Array<{
          isResolved: boolean;
          comments: { nodes: Array<{ author: { login: string } | null }> };
        }>;
        pageInfo: { hasNextPage: boolean };
      };
    } | null;
  } | null;
}

/**
 * Who started each unresolved review thread (no REST route tells whether a thread is resolved).
 * More than 100 threads: the rest is assumed unresolved by an unknown author, which blocks.
 */
export async function unresolvedThreadAuthors(octokit: Octokit, repo: Repo, pr: number): Promise<string[]> {
  const data = await octokit.graphql<ThreadsAnswer>(REVIEW_THREADS_QUERY, { ...repo, number: pr });
  const threads = data.repository?.pullRequest?.reviewThreads;
  if (!threads) return [];
  const authors = threads.nodes
    .filter((t) => !t.isResolved)
    .map((t) => t.comments.nodes[0]?.author?.login ?? '');
  return threads.pageInfo.hasNextPage ? [...authors, ''] : authors;
}
