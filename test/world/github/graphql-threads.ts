// The emulator's one GraphQL query: a pull request's review threads, as documented
// (https://docs.github.com/en/graphql/reference/objects#pullrequestreviewthread):
//   repository(owner:, name:) { pullRequest(number:) { reviewThreads(first:) { nodes {
//     isResolved comments(first:) { nodes { author { login } } } } pageInfo { hasNextPage } } } }
// Fields outside that shape are refused (GraphQL validates the whole document first).
import type { Reply } from './http.js';
import type { GitHubState } from './state.js';

const FIELDS = new Set([
  'repository',
  'pullRequest',
  'reviewThreads',
  'nodes',
  'isResolved',
  'comments',
  'author',
  'login',
  'pageInfo',
  'hasNextPage',
]);

function fail(message: string): Reply {
  return { status: 200, body: { errors: [{ message }] } };
}

export function reviewThreadsQuery(
  state: GitHubState,
  query: string,
  variables: Record<string, unknown>,
): Reply {
  const body = query.slice(query.indexOf('{'));
  // Field names are the identifiers not followed by `:` (arguments) and not starting with `$`.
  for (const m of body.replace(/\([^)]*\)/g, '').matchAll(/[A-Za-z_]\w*/g))
    if (!FIELDS.has(m[0])) return fail(`Field '${m[0]}' is not part of the query the emulator serves`);
  const { owner, repo: name, number } = variables;
  const repo = state.repo(String(owner), String(name));
  if (!repo)
    return fail(`Could not resolve to a Repository with the name '${String(owner)}/${String(name)}'.`);
  const pull = repo.issues.get(Number(number))?.pull;
  if (!pull) return fail(`Could not resolve to a PullRequest with the number of ${String(number)}.`);
  const nodes = (pull.threads ?? []).map((t) => ({
    isResolved: t.resolved,
    comments: { nodes: [{ author: { login: t.author.login } }] },
  }));
  const reviewThreads = { nodes, pageInfo: { hasNextPage: false } };
  return { status: 200, body: { data: { repository: { pullRequest: { reviewThreads } } } } };
}
