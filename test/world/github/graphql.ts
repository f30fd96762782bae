// The emulator's GraphQL endpoint (`POST /graphql`). It implements the mutations Pilot sends: this
// one (enablePullRequestAutoMerge is graphql-automerge.ts's), held to GitHub's schema as documented
// (https://docs.github.com/en/graphql/reference/mutations#pinissue):
//   pinIssue(input: PinIssueInput!): PinIssuePayload
//   input PinIssueInput { clientMutationId: String, issueId: ID! }
//   type PinIssuePayload { clientMutationId: String, issue: Issue }
// Anything else is answered with a GraphQL error naming what is missing, never a fake success. Like
// GitHub, errors come back as HTTP 200 with an `errors` array. There is no GraphQL parser here (none
// is installed): the checks below read the query's text, enough for a mutation of this one shape.
import { enableAutoMerge } from './graphql-automerge.js';
import { reviewThreadsQuery } from './graphql-threads.js';
import { allowed, type Caller, type Reply } from './http.js';
import { nodeId } from './shapes.js';
import type { GitHubState, Issue } from './state.js';

/** How many issues GitHub lets a repository pin. */
export const MAX_PINNED = 3;

const INPUT_FIELDS = new Set(['issueId', 'clientMutationId']);
const PAYLOAD_FIELDS = new Set(['issue', 'clientMutationId']);
const ISSUE_FIELDS = new Set(['id', 'number', 'isPinned', 'title']);

type GraphQLError = { message: string; type?: string; path?: string[] };

function fail(errors: GraphQLError[], data?: unknown): Reply {
  return { status: 200, body: { ...(data !== undefined && { data }), errors } };
}

/** `{a b { c }}` → top-level names with their sub-selection text. */
function selections(text: string): Array<{ name: string; sub?: string }> {
  const out: Array<{ name: string; sub?: string }> = [];
  let i = 0;
  while (i < text.length) {
    const m = /^\s*([A-Za-z_]\w*)/.exec(text.slice(i));
    if (!m) break;
    i += m[0].length;
    const rest = text.slice(i);
    if (/^\s*\{/.test(rest)) {
      const open = i + rest.indexOf('{');
      let depth = 0;
      let j = open;
      for (; j < text.length; j++) {
        if (text[j] === '{') depth++;
        if (text[j] === '}' && --depth === 0) break;
      }
      out.push({ name: m[1], sub: text.slice(open + 1, j) });
      i = j + 1;
    } else out.push({ name: m[1] });
  }
  return out;
}

function inputOf(args: string, variables: Record<string, unknown>): Record<string, unknown> | string {
  const input: Record<string, unknown> = {};
  for (const m of args.matchAll(/([A-Za-z_]\w*)\s*:\s*(\$\w+|"[^"]*")/g)) {
    if (!INPUT_FIELDS.has(m[1])) return `InputObject 'PinIssueInput' doesn't accept argument '${m[1]}'`;
    input[m[1]] = m[2].startsWith('$') ? variables[m[2].slice(1)] : m[2].slice(1, -1);
  }
  if (typeof input.issueId !== 'string')
    return "Argument 'issueId' on InputObject 'PinIssueInput' is required. Expected type ID!";
  return input;
}

function issueByNode(state: GitHubState, id: string): Issue | undefined {
  for (const repo of state.repos.values())
    for (const issue of repo.issues.values())
      if (!issue.pull && nodeId('Issue', issue.id) === id) return issue;
  return undefined;
}

/** GraphQL validates the whole document before running anything: an unknown field changes nothing. */
function checkSelection(sub: string | undefined): string | undefined {
  for (const { name, sub: inner } of selections(sub ?? '')) {
    if (!PAYLOAD_FIELDS.has(name)) return `Field '${name}' doesn't exist on type 'PinIssuePayload'`;
    for (const field of selections(inner ?? ''))
      if (name === 'issue' && !ISSUE_FIELDS.has(field.name))
        return `Field '${field.name}' doesn't exist on type 'Issue' (or the emulator lacks it)`;
  }
  return undefined;
}

function payloadOf(issue: Issue, input: Record<string, unknown>, sub: string | undefined) {
  const values: Record<string, unknown> = {
    id: nodeId('Issue', issue.id),
    number: issue.number,
    isPinned: !!issue.pinned,
    title: issue.title,
  };
  const payload: Record<string, unknown> = {};
  for (const { name, sub: inner } of selections(sub ?? '')) {
    payload[name] =
      name === 'issue'
        ? Object.fromEntries(selections(inner ?? '').map((f) => [f.name, values[f.name]]))
        : (input.clientMutationId ?? null);
  }
  return payload;
}

function pin(
  state: GitHubState,
  caller: Caller,
  input: Record<string, unknown>,
  sub: string | undefined,
): Reply {
  const invalid = checkSelection(sub);
  if (invalid) return fail([{ message: invalid }]);
  const path = ['pinIssue'];
  const refuse = (type: string, message: string) => fail([{ type, path, message }], { pinIssue: null });
  if (!allowed(caller.permissions, 'issues', 'POST'))
    return refuse('FORBIDDEN', 'Resource not accessible by integration');
  const issue = issueByNode(state, input.issueId as string);
  if (!issue)
    return refuse('NOT_FOUND', `Could not resolve to a node with the global id of '${input.issueId}'`);
  const repo = state.repoByKey(issue.repoKey);
  const pinned = [...(repo?.issues.values() ?? [])].filter((i) => i.pinned && i !== issue);
  // The emulator's wording; GitHub refuses a fourth pinned issue.
  if (pinned.length >= MAX_PINNED)
    return refuse('UNPROCESSABLE', `A repository can pin at most ${MAX_PINNED} issues`);
  issue.pinned = true;
  return { status: 200, body: { data: { pinIssue: payloadOf(issue, input, sub) } } };
}

export function graphqlReply(state: GitHubState, caller: Caller, body: Record<string, unknown>): Reply {
  const query = typeof body.query === 'string' ? body.query : '';
  const variables = (body.variables ?? {}) as Record<string, unknown>;
  if (/^\s*query\b[\s\S]*\breviewThreads\b/.test(query)) return reviewThreadsQuery(state, query, variables);
  const op = /^\s*mutation\b[^{]*\{([\s\S]*)\}\s*$/.exec(query);
  if (!op)
    return fail([
      { message: 'The emulator implements only the pinIssue mutation and enablePullRequestAutoMerge' },
    ]);
  const auto = /^\s*enablePullRequestAutoMerge\s*\(\s*input\s*:\s*\{([^}]*)\}\s*\)\s*\{([\s\S]*)\}\s*$/.exec(
    op[1],
  );
  if (auto) return enableAutoMerge(state, caller, auto[1], variables, auto[2]);
  const call = /^\s*pinIssue\s*\(\s*input\s*:\s*\{([^}]*)\}\s*\)\s*\{([\s\S]*)\}\s*$/.exec(op[1]);
  if (!call)
    return fail([
      { message: 'The emulator implements only the pinIssue mutation (pinIssue(input: {...}) { ... })' },
    ]);
  const input = inputOf(call[1], variables);
  if (typeof input === 'string') return fail([{ message: input }]);
  return pin(state, caller, input, call[2]);
}
