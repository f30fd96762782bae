// Turns the emulator's records into the JSON GitHub returns, with every property the OpenAPI
// description marks required (the conformance test holds these to the spec).
import { mergeableState } from './merging.js';
import type {
  CheckRun,
  Comment,
  GitHubState,
  Issue,
  IssueEvent,
  Job,
  Label,
  Reaction,
  Repo,
  Review,
  ReviewComment,
  Role,
  Run,
  User,
} from './state.js';
import { REACTION_CONTENTS } from './state.js';

type Json = Record<string, unknown>;

/** GitHub's legacy global id: base64 of `0<length of kind>:<kind><id>` (`MDQ6VXNlcjE=` is User 1). */
export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString('base64');
}

export function userJson(s: GitHubState, u: User): Json {
  const api = `${s.apiUrl()}/users/${encodeURIComponent(u.login)}`;
  return {
    login: u.login,
    id: u.id,
    node_id: nodeId(u.type === 'Bot' ? 'Bot' : u.type === 'Organization' ? 'Organization' : 'User', u.id),
    avatar_url:
      u.type === 'Bot'
        ? `https://avatars.githubusercontent.com/in/${u.id}?v=4`
        : `https://avatars.githubusercontent.com/u/${u.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url:
      u.type === 'Bot'
        ? `${s.serverUrl}/apps/${encodeURIComponent(u.login.replace(/\[bot\]$/, ''))}`
        : `${s.serverUrl}/${u.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: u.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** `{admin, maintain, push, triage, pull}` for a role, as `user.permissions` reports it. */
export function permissionsFor(
  role: Role,
): Record<'admin' | 'maintain' | 'push' | 'triage' | 'pull', boolean> {
  const rank: Record<Role, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };
  const r = rank[role];
  return { admin: r >= 5, maintain: r >= 4, push: r >= 3, triage: r >= 2, pull: r >= 1 };
}

/** The legacy `permission` field: maintain reads as write, triage as read. */
export function legacyPermission(role: Role): 'admin' | 'write' | 'read' | 'none' {
  const map: Record<Role, 'admin' | 'write' | 'read' | 'none'> = {
    admin: 'admin',
    maintain: 'write',
    write: 'write',
    triage: 'read',
    read: 'read',
    none: 'none',
  };
  return map[role];
}

const REPO_URL_TEMPLATES: Record<string, string> = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
};

export function repoUrl(s: GitHubState, repo: Repo): string {
  return `${s.apiUrl()}/repos/${repo.key}`;
}

/** The `repository` / `full-repository` shape (GET /repos/{o}/{r}, `head.repo` of a PR, runs). */
export function repoJson(s: GitHubState, repo: Repo, viewer?: User): Json {
  const url = repoUrl(s, repo);
  const urls = Object.fromEntries(Object.entries(REPO_URL_TEMPLATES).map(([k, v]) => [k, `${url}${v}`]));
  const open = [...repo.issues.values()].filter((i) => i.state === 'open').length;
  const role = viewer ? s.role(repo, viewer.login) : undefined;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: repo.key,
    owner: userJson(s, repo.owner),
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    html_url: `${s.serverUrl}/${repo.key}`,
    description: null,
    fork: false,
    url,
    ...urls,
    clone_url: `${s.serverUrl}/${repo.key}.git`,
    git_url: `git://github.com/${repo.key}.git`,
    ssh_url: `git@github.com:${repo.key}.git`,
    svn_url: `${s.serverUrl}/${repo.key}`,
    mirror_url: null,
    homepage: null,
    language: 'TypeScript',
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 1,
    default_branch: repo.defaultBranch,
    open_issues: open,
    open_issues_count: open,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: repo.created_at,
    created_at: repo.created_at,
    updated_at: repo.created_at,
    allow_forking: true,
    ...(repo.allowAutoMerge !== undefined && { allow_auto_merge: repo.allowAutoMerge }),
    web_commit_signoff_required: false,
    network_count: 0,
    subscribers_count: 0,
    ...(role ? { permissions: permissionsFor(role) } : {}),
  };
}

/** OWNER / MEMBER / COLLABORATOR / NONE, as GitHub labels the author of an issue or comment. */
export function authorAssociation(s: GitHubState, repo: Repo, user: User): string {
  if (repo.owner.login === user.login) return 'OWNER';
  const role = s.role(repo, user.login);
  if (!role || role === 'none') return 'NONE';
  return repo.owner.type === 'Organization' ? 'MEMBER' : 'COLLABORATOR';
}

export function reactionRollup(url: string, reactions: Reaction[]): Json {
  const counts = Object.fromEntries(
    REACTION_CONTENTS.map((c) => [c, reactions.filter((r) => r.content === c).length]),
  );
  return { url: `${url}/reactions`, total_count: reactions.length, ...counts };
}

export function reactionJson(s: GitHubState, r: Reaction): Json {
  return {
    id: r.id,
    node_id: nodeId('Reaction', r.id),
    user: userJson(s, r.user),
    content: r.content,
    created_at: r.created_at,
  };
}

export function labelJson(s: GitHubState, repo: Repo, label: Label): Json {
  return {
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${repoUrl(s, repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

function issueLabels(s: GitHubState, repo: Repo, issue: Issue): Json[] {
  return issue.labels.map((name) => labelJson(s, repo, s.ensureLabel(repo, name)));
}

export function issueJson(s: GitHubState, repo: Repo, issue: Issue): Json {
  const url = `${repoUrl(s, repo)}/issues/${issue.number}`;
  const html = `${s.serverUrl}/${repo.key}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId(issue.pull ? 'PullRequestIssue' : 'Issue', issue.id),
    url,
    repository_url: repoUrl(s, repo),
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.state_reason,
    title: issue.title,
    body: issue.body,
    user: userJson(s, issue.user),
    labels: issueLabels(s, repo, issue),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: issue.comments.length,
    closed_at: issue.closed_at,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_by: issue.closed_by ? userJson(s, issue.closed_by) : null,
    author_association: authorAssociation(s, repo, issue.user),
    reactions: reactionRollup(url, issue.reactions),
    ...(issue.pull ? { pull_request: pullLinks(s, repo, issue), draft: issue.pull.draft } : {}),
  };
}

function pullLinks(s: GitHubState, repo: Repo, issue: Issue): Json {
  const html = `${s.serverUrl}/${repo.key}/pull/${issue.number}`;
  return {
    url: `${repoUrl(s, repo)}/pulls/${issue.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    merged_at: issue.pull?.merged_at ?? null,
  };
}

export function commentJson(s: GitHubState, repo: Repo, c: Comment): Json {
  const url = `${repoUrl(s, repo)}/issues/comments/${c.id}`;
  const issue = repo.issues.get(c.issue);
  const kind = issue?.pull ? 'pull' : 'issues';
  return {
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    url,
    html_url: `${s.serverUrl}/${repo.key}/${kind}/${c.issue}#issuecomment-${c.id}`,
    issue_url: `${repoUrl(s, repo)}/issues/${c.issue}`,
    body: c.body,
    user: userJson(s, c.user),
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: authorAssociation(s, repo, c.user),
    performed_via_github_app: null,
    reactions: reactionRollup(url, c.reactions),
  };
}

function link(href: string): Json {
  return { href };
}

function headShaOf(s: GitHubState, repo: Repo, issue: Issue): string {
  const pr = issue.pull as NonNullable<Issue['pull']>;
  // Only for a head in this repository: the world's ref resolver knows one origin, not forks.
  if (issue.state !== 'open' || pr.headRepoKey !== repo.key) return pr.headSha;
  return s.resolveRef(repo, pr.headRef) ?? pr.headSha;
}

function branchJson(s: GitHubState, repo: Repo, ref: string, sha: string): Json {
  return {
    label: `${repo.owner.login}:${ref}`,
    ref,
    sha,
    user: userJson(s, repo.owner),
    repo: repoJson(s, repo),
  };
}

/** Full `pull-request` shape; `simple` drops the counters only the single-PR routes return. */
export function pullJson(s: GitHubState, repo: Repo, issue: Issue, simple = false): Json {
  const pr = issue.pull;
  if (!pr) throw new Error(`#${issue.number} is not a pull request`);
  const url = `${repoUrl(s, repo)}/pulls/${issue.number}`;
  const html = `${s.serverUrl}/${repo.key}/pull/${issue.number}`;
  const issueUrl = `${repoUrl(s, repo)}/issues/${issue.number}`;
  const headRepo = s.repoByKey(pr.headRepoKey) ?? repo;
  const base: Json = {
    url,
    id: pr.id,
    node_id: nodeId('PullRequest', pr.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl(s, repo)}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${repoUrl(s, repo)}/statuses/${pr.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(s, issue.user),
    body: issue.body,
    labels: issueLabels(s, repo, issue),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.created_at,
    updated_at: issue.updated_at,
    closed_at: issue.closed_at,
    merged_at: pr.merged_at,
    merge_commit_sha: pr.merge_commit_sha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    // GitHub's PR head follows its branch: a push moves it.
    head: branchJson(s, headRepo, pr.headRef, headShaOf(s, repo, issue)),
    base: branchJson(s, repo, pr.baseRef, pr.baseSha),
    _links: {
      self: link(url),
      html: link(html),
      issue: link(issueUrl),
      comments: link(`${issueUrl}/comments`),
      review_comments: link(`${url}/comments`),
      review_comment: link(`${repoUrl(s, repo)}/pulls/comments{/number}`),
      commits: link(`${url}/commits`),
      statuses: link(`${repoUrl(s, repo)}/statuses/${pr.headSha}`),
    },
    author_association: authorAssociation(s, repo, issue.user),
    auto_merge: pr.autoMerge
      ? {
          enabled_by: userJson(s, pr.autoMerge.by),
          merge_method: pr.autoMerge.method,
          commit_title: issue.title,
          commit_message: '',
        }
      : null,
    draft: pr.draft,
  };
  if (simple) return base;
  return {
    ...base,
    merged: pr.merged_at !== null,
    mergeable: issue.state === 'open' ? true : null,
    rebaseable: issue.state === 'open' ? true : null,
    mergeable_state: mergeableState(s, repo, issue),
    merged_by: pr.merged_by ? userJson(s, pr.merged_by) : null,
    comments: issue.comments.length,
    review_comments: 0,
    maintainer_can_modify: pr.maintainer_can_modify,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

export function reviewJson(s: GitHubState, repo: Repo, issue: Issue, r: Review): Json {
  const pullUrl = `${repoUrl(s, repo)}/pulls/${issue.number}`;
  const html = `${s.serverUrl}/${repo.key}/pull/${issue.number}#pullrequestreview-${r.id}`;
  return {
    id: r.id,
    node_id: nodeId('PullRequestReview', r.id),
    user: userJson(s, r.user),
    body: r.body,
    state: r.state,
    html_url: html,
    pull_request_url: pullUrl,
    _links: { html: link(html), pull_request: link(pullUrl) },
    ...(r.state === 'PENDING' ? {} : { submitted_at: r.submitted_at }),
    commit_id: r.commit_id,
    author_association: authorAssociation(s, repo, r.user),
  };
}

/** A review's line comment: `pull-request-review-comment` (replies) and `review-comment` (a review's list). */
export function reviewCommentJson(s: GitHubState, repo: Repo, issue: Issue, c: ReviewComment): Json {
  const pullUrl = `${repoUrl(s, repo)}/pulls/${issue.number}`;
  const url = `${repoUrl(s, repo)}/pulls/comments/${c.id}`;
  const html = `${s.serverUrl}/${repo.key}/pull/${issue.number}#discussion_r${c.id}`;
  return {
    url,
    pull_request_review_id: c.reviewId,
    id: c.id,
    node_id: nodeId('PullRequestReviewComment', c.id),
    diff_hunk: c.diff_hunk,
    path: c.path,
    position: c.line,
    original_position: c.line,
    commit_id: c.commit_id,
    original_commit_id: c.commit_id,
    ...(c.in_reply_to_id === undefined ? {} : { in_reply_to_id: c.in_reply_to_id }),
    user: userJson(s, c.user),
    body: c.body,
    created_at: c.created_at,
    updated_at: c.updated_at,
    html_url: html,
    pull_request_url: pullUrl,
    author_association: authorAssociation(s, repo, c.user),
    _links: { self: link(url), html: link(html), pull_request: link(pullUrl) },
    line: c.line,
    original_line: c.line,
    side: 'RIGHT',
    subject_type: 'line',
  };
}

export function issueEventJson(s: GitHubState, repo: Repo, issue: Issue, e: IssueEvent): Json {
  return {
    id: e.id,
    node_id: nodeId('IssueEvent', e.id),
    url: `${repoUrl(s, repo)}/issues/events/${e.id}`,
    actor: userJson(s, e.actor),
    event: e.event,
    commit_id: null,
    commit_url: null,
    created_at: e.created_at,
    performed_via_github_app: null,
    ...(e.label ? { label: { name: e.label, color: s.ensureLabel(repo, e.label).color } } : {}),
    ...(e.event === 'closed' ? { state_reason: issue.state_reason } : {}),
  };
}

/** A comment as the timeline lists it (`event: "commented"`). */
export function timelineCommentJson(s: GitHubState, repo: Repo, c: Comment): Json {
  return { ...commentJson(s, repo, c), event: 'commented', actor: userJson(s, c.user) };
}

export function runJson(s: GitHubState, repo: Repo, run: Run): Json {
  const url = `${repoUrl(s, repo)}/actions/runs/${run.id}`;
  const workflowId = 161335;
  const path = '.github/workflows/pilot.yml';
  return {
    id: run.id,
    name: run.name,
    node_id: nodeId('WorkflowRun', run.id),
    check_suite_id: run.id + 1,
    check_suite_node_id: nodeId('CheckSuite', run.id + 1),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path,
    display_title: run.name,
    run_number: run.runNumber,
    run_attempt: run.attempt,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: workflowId,
    url,
    html_url: `${s.serverUrl}/${repo.key}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.created_at,
    updated_at: run.updated_at,
    run_started_at: run.created_at,
    actor: userJson(s, run.actor),
    triggering_actor: userJson(s, run.actor),
    jobs_url: `${url}/jobs`,
    logs_url: `${url}/logs`,
    check_suite_url: `${repoUrl(s, repo)}/check-suites/${run.id + 1}`,
    artifacts_url: `${url}/artifacts`,
    cancel_url: `${url}/cancel`,
    rerun_url: `${url}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${repoUrl(s, repo)}/actions/workflows/${workflowId}`,
    head_commit: {
      id: run.headSha,
      tree_id: run.headSha,
      message: 'commit',
      timestamp: run.created_at,
      author: { name: 'dev', email: 'dev@example.com' },
      committer: { name: 'dev', email: 'dev@example.com' },
    },
    repository: minimalRepoJson(s, repo),
    head_repository: minimalRepoJson(s, repo),
  };
}

/** `minimal-repository`: the repository shape without the counters (runs embed it). */
export function minimalRepoJson(s: GitHubState, repo: Repo): Json {
  const { network_count: _n, subscribers_count: _s, ...rest } = repoJson(s, repo);
  return rest;
}

export function jobJson(s: GitHubState, repo: Repo, run: Run, job: Job): Json {
  const url = `${repoUrl(s, repo)}/actions/jobs/${job.id}`;
  return {
    id: job.id,
    run_id: run.id,
    run_url: `${repoUrl(s, repo)}/actions/runs/${run.id}`,
    run_attempt: run.attempt,
    node_id: nodeId('CheckRun', job.id),
    head_sha: run.headSha,
    url,
    html_url: `${s.serverUrl}/${repo.key}/actions/runs/${run.id}/job/${job.id}`,
    status: job.status,
    conclusion: job.conclusion,
    created_at: job.started_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    name: job.name,
    steps: job.steps.map((step, i) => ({
      name: step.name,
      status: step.conclusion === null ? job.status : 'completed',
      conclusion: step.conclusion,
      number: i + 1,
      started_at: job.started_at,
      completed_at: step.conclusion === null ? null : (job.completed_at ?? job.started_at),
    })),
    check_run_url: `${repoUrl(s, repo)}/check-runs/${job.id}`,
    labels: job.labels,
    runner_id: 1,
    runner_name: 'GitHub Actions 1',
    runner_group_id: 1,
    runner_group_name: 'GitHub Actions',
    workflow_name: run.name,
    head_branch: run.headBranch,
  };
}

export function checkRunJson(s: GitHubState, repo: Repo, c: CheckRun): Json {
  const url = `${repoUrl(s, repo)}/check-runs/${c.id}`;
  return {
    id: c.id,
    head_sha: c.head_sha,
    node_id: nodeId('CheckRun', c.id),
    external_id: String(c.id),
    url,
    html_url: `${s.serverUrl}/${repo.key}/runs/${c.id}`,
    details_url: `${s.serverUrl}/${repo.key}/runs/${c.id}`,
    status: c.status,
    conclusion: c.conclusion,
    started_at: c.started_at,
    completed_at: c.completed_at,
    output: {
      title: c.name,
      summary: c.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: c.name,
    check_suite: { id: c.id + 1 },
    app: null,
    pull_requests: [],
  };
}

export function refJson(s: GitHubState, repo: Repo, ref: string, sha: string): Json {
  return {
    ref,
    node_id: nodeId('Ref', Number.parseInt(sha.slice(0, 8), 16)),
    url: `${repoUrl(s, repo)}/git/${ref}`,
    object: { type: 'commit', sha, url: `${repoUrl(s, repo)}/git/commits/${sha}` },
  };
}
