// The emulator's `enablePullRequestAutoMerge` mutation, held to GitHub's schema as documented
// (https://docs.github.com/en/graphql/reference/mutations#enablepullrequestautomerge):
//   input EnablePullRequestAutoMergeInput { pullRequestId: ID!, mergeMethod: PullRequestMergeMethod,
//     expectedHeadOid: GitObjectID, authorEmail, commitBody, commitHeadline, clientMutationId }
//   type EnablePullRequestAutoMergePayload { actor, clientMutationId, pullRequest: PullRequest }
// Refusals use GitHub's wording where it is known (FACTS: "Pull request is in clean status").
import { allowed, type Caller, type Reply } from './http.js';
import { mergeableState } from './merging.js';
import { nodeId } from './shapes.js';
import type { GitHubState, Issue, Repo } from './state.js';

const INPUT_FIELDS = new Set([
  'pullRequestId',
  'mergeMethod',
  'expectedHeadOid',
  'authorEmail',
  'commitBody',
  'commitHeadline',
  'clientMutationId',
]);
const METHODS = new Set(['MERGE', 'SQUASH', 'REBASE']);
const PR_FIELDS = new Set(['number', 'id', 'autoMergeRequest']);

function fail(message: string, type?: string): Reply {
  const path = ['enablePullRequestAutoMerge'];
  return {
    status: 200,
    body: {
      data: type ? { enablePullRequestAutoMerge: null } : undefined,
      errors: [{ message, type, path }],
    },
  };
}

function inputOf(args: string, variables: Record<string, unknown>): Record<string, unknown> | string {
  const input: Record<string, unknown> = {};
  for (const m of args.matchAll(/([A-Za-z_]\w*)\s*:\s*(\$\w+|"[^"]*"|[A-Z]+)/g)) {
    if (!INPUT_FIELDS.has(m[1]))
      return `InputObject 'EnablePullRequestAutoMergeInput' doesn't accept argument '${m[1]}'`;
    const raw = m[2];
    input[m[1]] = raw.startsWith('$') ? variables[raw.slice(1)] : raw.replace(/^"|"$/g, '');
  }
  if (typeof input.pullRequestId !== 'string')
    return "Argument 'pullRequestId' on InputObject 'EnablePullRequestAutoMergeInput' is required. Expected type ID!";
  if (input.mergeMethod !== undefined && !METHODS.has(String(input.mergeMethod)))
    return `Argument 'mergeMethod' on InputObject 'EnablePullRequestAutoMergeInput' has an invalid value (${String(input.mergeMethod)}). Expected type 'PullRequestMergeMethod'.`;
  return input;
}

function pullByNode(state: GitHubState, id: string): { repo: Repo; issue: Issue } | undefined {
  for (const repo of state.repos.values())
    for (const issue of repo.issues.values())
      if (issue.pull && nodeId('PullRequest', issue.pull.id) === id) return { repo, issue };
  return undefined;
}

/** Why GitHub would refuse, or null. */
function refusal(
  state: GitHubState,
  repo: Repo,
  issue: Issue,
  input: Record<string, unknown>,
): string | null {
  const pr = issue.pull as NonNullable<Issue['pull']>;
  if (!repo.allowAutoMerge) return 'Auto merge is not allowed for this repository';
  if (issue.state !== 'open') return 'Pull request is closed';
  if (pr.draft) return 'Pull request is in draft state';
  if (input.expectedHeadOid !== undefined && input.expectedHeadOid !== pr.headSha)
    return 'Head branch was modified. Review and try the merge again.';
  if (mergeableState(state, repo, issue) === 'clean') return 'Pull request is in clean status';
  return null;
}

export function enableAutoMerge(
  state: GitHubState,
  caller: Caller,
  args: string,
  variables: Record<string, unknown>,
  sub: string,
): Reply {
  const input = inputOf(args, variables);
  if (typeof input === 'string') return fail(input);
  for (const m of sub.matchAll(/pullRequest\s*\{([^}]*)\}/g))
    for (const field of m[1].match(/[A-Za-z_]\w*/g) ?? [])
      if (!PR_FIELDS.has(field))
        return fail(`Field '${field}' doesn't exist on type 'PullRequest' (or the emulator lacks it)`);
  if (
    !allowed(caller.permissions, 'pull_requests', 'POST') ||
    !allowed(caller.permissions, 'contents', 'POST')
  )
    return fail('Resource not accessible by integration', 'FORBIDDEN');
  const found = pullByNode(state, input.pullRequestId as string);
  if (!found)
    return fail(`Could not resolve to a node with the global id of '${input.pullRequestId}'`, 'NOT_FOUND');
  const { repo, issue } = found;
  const refused = refusal(state, repo, issue, input);
  if (refused) return fail(refused, 'UNPROCESSABLE');
  const method = String(input.mergeMethod ?? 'MERGE').toLowerCase();
  (issue.pull as NonNullable<Issue['pull']>).autoMerge = { method, by: caller.user, at: state.now() };
  const pullRequest = {
    number: issue.number,
    id: nodeId('PullRequest', issue.pull?.id ?? 0),
    autoMergeRequest: { mergeMethod: method.toUpperCase() },
  };
  return { status: 200, body: { data: { enablePullRequestAutoMerge: { pullRequest } } } };
}
