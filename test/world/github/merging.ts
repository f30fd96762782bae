// How the emulator merges: `mergeable_state` computed from branch protection and check runs, a merge
// that closes the PR (and, into the default branch, the issues its body closes with `Closes #n`),
// and auto-merge that completes once nothing blocks — what GitHub does, in the small.
import { fakeSha, type GitHubState, type Issue, type Repo, type User } from './state.js';

const GREEN = new Set(['success', 'neutral', 'skipped']);

function requiredOf(repo: Repo, branch: string) {
  return repo.protection?.get(branch) ?? { strict: false, contexts: [] };
}

/** GitHub's `mergeable_state` for an open PR: draft, dirty, behind, blocked, unstable or clean. */
export function mergeableState(state: GitHubState, repo: Repo, issue: Issue): string {
  const pr = issue.pull;
  if (!pr || issue.state !== 'open') return 'unknown';
  if (pr.mergeableState) return pr.mergeableState;
  if (pr.draft) return 'draft';
  const required = requiredOf(repo, pr.baseRef);
  const checks = repo.checkRuns.filter((c) => c.head_sha === pr.headSha);
  const green = (name: string) =>
    checks.some((c) => c.name === name && c.status === 'completed' && GREEN.has(c.conclusion ?? ''));
  if (required.contexts.some((name) => !green(name))) return 'blocked';
  if (pr.reviews.some((r) => r.state === 'CHANGES_REQUESTED')) return 'blocked';
  if (required.strict && state.resolveRef(repo, pr.baseRef) !== pr.baseSha) return 'behind';
  if (checks.some((c) => c.status === 'completed' && !GREEN.has(c.conclusion ?? ''))) return 'unstable';
  return 'clean';
}

/** Closing keywords GitHub honours in a PR body (one issue per keyword, this repository only). */
function closedIssues(body: string | null): number[] {
  const out: number[] = [];
  for (const m of (body ?? '').matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s+#(\d+)\b/gi))
    out.push(Number(m[1]));
  return out;
}

/** Merges an open PR as `user`; returns the merge commit's sha. */
export function mergeNow(state: GitHubState, repo: Repo, issue: Issue, user: User): string {
  const pr = issue.pull as NonNullable<Issue['pull']>;
  pr.merged_at = state.now();
  pr.merged_by = user;
  pr.merge_commit_sha = fakeSha(`merge-${pr.headSha}`);
  pr.autoMerge = null;
  state.setState(issue, 'closed', user);
  if (pr.baseRef === repo.defaultBranch)
    for (const n of closedIssues(issue.body)) {
      const closed = repo.issues.get(n);
      if (closed && !closed.pull) state.setState(closed, 'closed', user);
    }
  return pr.merge_commit_sha;
}

/** Merges every PR whose auto-merge is enabled and that nothing blocks any more. */
export function settleAutoMerges(state: GitHubState, repo: Repo): void {
  for (const issue of repo.issues.values()) {
    const auto = issue.pull?.autoMerge;
    if (auto && issue.state === 'open' && ['clean', 'unstable'].includes(mergeableState(state, repo, issue)))
      mergeNow(state, repo, issue, auto.by);
  }
}
