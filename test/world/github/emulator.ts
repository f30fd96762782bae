// The GitHub REST emulator as tests use it: start it, seed state, point the real Octokit at `url`,
// then read back what the code under test did. It is also the runner harness's `RunHost`.
import type { DispatchRecord, RunHost, RunInfo } from '../types.js';
import type { Caller, TokenPermissions } from './http.js';
import { settleAutoMerges } from './merging.js';
import { type AppInit, addApp, authenticateApp, mintedTokens } from './routes/apps.js';
import { ROUTES } from './routes/index.js';
import { type ActiveFault, type Fault, GitHubServer, type RequestRecord } from './server.js';
import * as shapes from './shapes.js';
import {
  ACTIONS_BOT,
  type CacheEntries,
  type CheckRun,
  type Comment,
  fakeSha,
  GitHubState,
  type Issue,
  type Job,
  type JobStep,
  monotonicClock,
  type Reaction,
  type ReactionContent,
  type RecordedDispatch,
  type RefResolver,
  type RefWrite,
  type Repo,
  type Review,
  type ReviewComment,
  type Role,
  type Run,
  type User,
  type UserType,
} from './state.js';

export interface StartOptions {
  /** The Actions `GITHUB_TOKEN` (identity `github-actions[bot]`); generated when omitted. */
  token?: string;
  /** Where `html_url`s point (default `https://github.com`). */
  serverUrl?: string;
  /** ISO timestamp source; default: real time, strictly increasing. */
  now?: () => string;
  /** The cache-service emulator's entries, for the caches REST routes. */
  cacheEntries?: CacheEntries;
  /** Branch shas the emulator was not told about, e.g. read from the bare origin with git. */
  resolveRef?: RefResolver;
}

export interface RepoInit {
  owner: string;
  repo: string;
  ownerType?: 'User' | 'Organization';
  defaultBranch?: string;
  /** Sha of the default branch (a stable fake one when omitted). */
  defaultBranchSha?: string;
  private?: boolean;
  /** "Allow GitHub Actions to create and approve pull requests" (default true here). */
  allowActionsToCreatePullRequests?: boolean;
}

export interface TokenOptions {
  /** An Actions token: subject to "Allow GitHub Actions to create and approve pull requests". */
  actions?: boolean;
  /** The run the token belongs to (recorded as `fromRunId` on its dispatches). */
  runId?: number;
  /** The token's scopes, like a workflow's `permissions:`; omitted = unrestricted. */
  permissions?: TokenPermissions;
}

export type ReactionTarget = { issue: number } | { comment: number };
type Json = Record<string, unknown>;

/** What tests read back about a pull request. */
export interface PullView {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  user: User;
  head: { ref: string; sha: string; repo: string };
  base: { ref: string; sha: string };
  labels: string[];
  reviews: Review[];
}

export class GitHubEmulator implements RunHost {
  readonly state: GitHubState;
  readonly token: string;
  private readonly server: GitHubServer;
  private readonly tokens = new Map<string, Caller>();
  private baseUrl = '';

  constructor(opts: StartOptions = {}) {
    this.state = new GitHubState(
      () => this.baseUrl,
      opts.serverUrl ?? 'https://github.com',
      opts.now ?? monotonicClock(),
    );
    this.state.cacheEntries = opts.cacheEntries;
    this.state.refResolver = opts.resolveRef;
    this.token = opts.token ?? `ghs_emulator${fakeSha('actions').slice(0, 28)}`;
    this.tokens.set(this.token, { user: ACTIONS_BOT, actionsToken: true });
    this.server = new GitHubServer(
      this.state,
      ROUTES,
      (t) => this.tokens.get(t) ?? authenticateApp(this.state, t),
    );
  }

  /** Base URL for `GITHUB_API_URL` / Octokit's `baseUrl`. */
  get url(): string {
    return this.baseUrl;
  }

  /** The declarative route table (method + OpenAPI path template + handler). */
  get routes(): typeof ROUTES {
    return ROUTES;
  }

  async listen(): Promise<void> {
    this.baseUrl = await this.server.listen();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  // ── identities ────────────────────────────────────────────────────────────────────────────────

  /** A user (created on first mention); ids are deterministic per world. */
  addUser(login: string, type?: UserType): User {
    return this.state.user(login, type);
  }

  /**
   * Makes `token` valid as `user` (a human, or an App's `<slug>[bot]`). `actions: true` marks it as
   * an Actions token (subject to the PR-creation setting); `runId` ties its dispatches to a run.
   */
  addToken(token: string, user: string | { login: string; type?: UserType }, opts: TokenOptions = {}): User {
    const u = typeof user === 'string' ? this.state.user(user) : this.state.user(user.login, user.type);
    const caller = {
      user: u,
      actionsToken: opts.actions ?? false,
      runId: opts.runId,
      permissions: opts.permissions,
    };
    this.tokens.set(token, caller);
    return u;
  }

  /**
   * A `GITHUB_TOKEN` for one run: `github-actions[bot]`, its dispatches record `fromRunId`, and with
   * `permissions` (e.g. `{ issues: 'write', actions: 'read' }`) other scopes answer 403.
   */
  tokenForRun(runId: number, permissions?: TokenPermissions): string {
    const token = `ghs_run${runId}_${fakeSha(`run-${runId}-${JSON.stringify(permissions ?? {})}`).slice(0, 20)}`;
    this.tokens.set(token, { user: ACTIONS_BOT, actionsToken: true, runId, permissions });
    return token;
  }

  /**
   * A GitHub App installed on `installedOn` owners: its JWTs (signed with the private key matching
   * `publicKey`) are verified, and it can mint installation tokens that act as `<slug>[bot]`.
   */
  addApp(init: AppInit): User {
    return addApp(this.state, init);
  }

  /** Installation tokens minted through `POST /app/installations/{id}/access_tokens`, in order. */
  mintedTokens(): ReturnType<typeof mintedTokens> {
    return mintedTokens(this.state);
  }

  // ── seeding ───────────────────────────────────────────────────────────────────────────────────

  addRepo(init: RepoInit): Json {
    const owner = this.state.user(init.owner, init.ownerType);
    const key = `${init.owner}/${init.repo}`;
    const defaultBranch = init.defaultBranch ?? 'main';
    const repo: Repo = {
      id: this.state.nextId('repo'),
      key,
      owner,
      name: init.repo,
      defaultBranch,
      private: init.private ?? false,
      allowActionsToCreatePullRequests: init.allowActionsToCreatePullRequests ?? true,
      created_at: this.state.now(),
      refs: new Map([
        [`refs/heads/${defaultBranch}`, init.defaultBranchSha ?? fakeSha(`${key}@${defaultBranch}`)],
      ]),
      roles: new Map(),
      labels: new Map(),
      issues: new Map(),
      nextNumber: 1,
      checkRuns: [],
      runNumber: 0,
    };
    this.state.repos.set(key.toLowerCase(), repo);
    return shapes.repoJson(this.state, repo);
  }

  setRepoSettings(
    owner: string,
    repo: string,
    settings: { allowActionsToCreatePullRequests?: boolean; allowAutoMerge?: boolean },
  ): void {
    const r = this.repoOrThrow(owner, repo);
    if (settings.allowAutoMerge !== undefined) r.allowAutoMerge = settings.allowAutoMerge;
    if (settings.allowActionsToCreatePullRequests !== undefined) {
      r.allowActionsToCreatePullRequests = settings.allowActionsToCreatePullRequests;
    }
  }

  setPermission(owner: string, repo: string, login: string, role: Role, type?: 'User' | 'Bot'): User {
    const user = this.state.user(login, type);
    this.repoOrThrow(owner, repo).roles.set(login, role);
    return user;
  }

  setBranch(owner: string, repo: string, branch: string, sha: string): void {
    this.repoOrThrow(owner, repo).refs.set(`refs/heads/${branch}`, sha);
  }

  /** Branch protection's required status checks (`strict`: the branch must be up to date first). */
  protectBranch(
    owner: string,
    repo: string,
    branch: string,
    rules: { strict?: boolean; contexts: string[] },
  ): void {
    const r = this.repoOrThrow(owner, repo);
    r.protection ??= new Map();
    r.protection.set(branch, { strict: rules.strict ?? false, contexts: rules.contexts });
  }

  /** A GitHub Environment; `reviewers` empty = no required_reviewers protection rule. */
  addEnvironment(owner: string, repo: string, name: string, reviewers: string[] = []): void {
    const r = this.repoOrThrow(owner, repo);
    r.environments ??= new Map();
    const id = this.state.nextId('environment');
    r.environments.set(name, { id, name, reviewers, created_at: this.state.now() });
  }

  /** Overrides a PR's computed `mergeable_state` (`dirty` for a conflict); undefined computes it again. */
  setMergeableState(owner: string, repo: string, number: number, state: string | undefined): void {
    const pull = this.issueOrThrow(owner, repo, number).pull;
    if (!pull) throw new Error(`#${number} is not a pull request`);
    pull.mergeableState = state;
  }

  /** A review thread on a PR, started by `author`. */
  addReviewThread(
    owner: string,
    repo: string,
    number: number,
    init: { author: string; resolved?: boolean },
  ): void {
    const pull = this.issueOrThrow(owner, repo, number).pull;
    if (!pull) throw new Error(`#${number} is not a pull request`);
    pull.threads = [
      ...(pull.threads ?? []),
      { author: this.state.user(init.author), resolved: init.resolved ?? false },
    ];
  }

  /** Moves a PR's head, as a push by someone else would. */
  pushToPull(owner: string, repo: string, number: number, sha: string): void {
    const pull = this.issueOrThrow(owner, repo, number).pull;
    if (!pull) throw new Error(`#${number} is not a pull request`);
    pull.headSha = sha;
    this.repoOrThrow(owner, repo).refs.set(`refs/heads/${pull.headRef}`, sha);
  }

  setRefResolver(resolve: RefResolver | undefined): void {
    this.state.refResolver = resolve;
  }

  setCacheEntries(entries: CacheEntries | undefined): void {
    this.state.cacheEntries = entries;
  }

  addIssue(
    owner: string,
    repo: string,
    init: { title: string; body?: string; user: string; labels?: string[]; state?: 'open' | 'closed' },
  ): number {
    const r = this.repoOrThrow(owner, repo);
    const user = this.state.user(init.user);
    const issue = this.state.createIssue(r, {
      title: init.title,
      body: init.body ?? '',
      user,
      labels: init.labels,
    });
    if (init.state === 'closed') this.state.setState(issue, 'closed', user);
    return issue.number;
  }

  /** Opens a PR as `user` (seeding; no permission checks). `head` is a branch of this repository. */
  addPull(
    owner: string,
    repo: string,
    init: {
      title: string;
      body?: string;
      user: string;
      head: string;
      headSha?: string;
      base?: string;
      draft?: boolean;
    },
  ): number {
    const r = this.repoOrThrow(owner, repo);
    const base = init.base ?? r.defaultBranch;
    const headSha = init.headSha ?? this.state.resolveRef(r, init.head) ?? fakeSha(`${r.key}@${init.head}`);
    r.refs.set(`refs/heads/${init.head}`, headSha);
    const issue = this.state.createPull(r, {
      title: init.title,
      body: init.body ?? '',
      user: this.state.user(init.user),
      headRef: init.head,
      headSha,
      baseRef: base,
      baseSha: this.state.resolveRef(r, base) ?? fakeSha(`${r.key}@${base}`),
      draft: init.draft,
    });
    return issue.number;
  }

  setIssueState(owner: string, repo: string, number: number, state: 'open' | 'closed', by?: string): void {
    const issue = this.issueOrThrow(owner, repo, number);
    this.state.setState(issue, state, by ? this.state.user(by) : issue.user);
  }

  /** Marks a PR merged (and closed) by `by`. */
  mergePull(owner: string, repo: string, number: number, by: string): void {
    const issue = this.issueOrThrow(owner, repo, number);
    if (!issue.pull) throw new Error(`#${number} is not a pull request`);
    const user = this.state.user(by);
    issue.pull.merged_at = this.state.now();
    issue.pull.merged_by = user;
    issue.pull.merge_commit_sha = fakeSha(`merge-${issue.pull.headSha}`);
    this.state.setState(issue, 'closed', user);
  }

  addLabel(owner: string, repo: string, number: number, name: string, by?: string): void {
    const issue = this.issueOrThrow(owner, repo, number);
    this.state.addLabel(this.repoOrThrow(owner, repo), issue, name, by ? this.state.user(by) : issue.user);
  }

  removeLabel(owner: string, repo: string, number: number, name: string, by?: string): void {
    const issue = this.issueOrThrow(owner, repo, number);
    this.state.removeLabel(issue, name, by ? this.state.user(by) : issue.user);
  }

  /** Posts a comment as `user`; returns the comment as the REST API shows it. */
  addComment(
    owner: string,
    repo: string,
    number: number,
    init: { body: string; user: string },
  ): Json & { id: number } {
    const r = this.repoOrThrow(owner, repo);
    const comment = this.state.createComment(
      r,
      this.issueOrThrow(owner, repo, number),
      init.body,
      this.state.user(init.user),
    );
    return shapes.commentJson(this.state, r, comment) as Json & { id: number };
  }

  /** Edits a comment, keeping the old body in its history; `updated_at` moves. */
  editComment(
    owner: string,
    repo: string,
    commentId: number,
    init: { body: string; user?: string },
  ): Json & { id: number } {
    const r = this.repoOrThrow(owner, repo);
    const comment = this.commentOrThrow(commentId);
    this.state.editComment(comment, init.body, init.user ? this.state.user(init.user) : comment.user);
    return shapes.commentJson(this.state, r, comment) as Json & { id: number };
  }

  addReaction(
    owner: string,
    repo: string,
    target: ReactionTarget,
    init: { content: ReactionContent; user: string },
  ): Reaction {
    return this.state.react(this.reactionList(owner, repo, target), this.state.user(init.user), init.content)
      .reaction;
  }

  addReview(
    owner: string,
    repo: string,
    number: number,
    init: {
      user: string;
      state: Review['state'];
      body?: string;
      commitId?: string;
      /** Line comments submitted with the review. */
      comments?: Array<{ path: string; line: number; body: string; diffHunk?: string }>;
    },
  ): Review & { comments: ReviewComment[] } {
    const issue = this.issueOrThrow(owner, repo, number);
    if (!issue.pull) throw new Error(`#${number} is not a pull request`);
    const user = this.state.user(init.user);
    const r = this.repoOrThrow(owner, repo);
    const commit_id = init.commitId ?? this.state.resolveRef(r, issue.pull.headRef) ?? issue.pull.headSha;
    const review = this.state.addReview(issue, { user, state: init.state, body: init.body ?? '', commit_id });
    const comments = (init.comments ?? []).map((c) =>
      this.state.addReviewComment(issue, {
        reviewId: review.id,
        user,
        body: c.body,
        path: c.path,
        line: c.line,
        diff_hunk: c.diffHunk ?? `@@ -1,1 +1,${c.line} @@`,
        commit_id,
      }),
    );
    return { ...review, comments };
  }

  /** Every line comment on a pull request (replies included), oldest first. */
  reviewComments(owner: string, repo: string, number: number): ReviewComment[] {
    return [...(this.issueOrThrow(owner, repo, number).pull?.reviewComments ?? [])];
  }

  addCheckRun(
    owner: string,
    repo: string,
    init: {
      headSha: string;
      name: string;
      status?: CheckRun['status'];
      conclusion?: string | null;
      summary?: string;
    },
  ): CheckRun {
    const status = init.status ?? 'completed';
    const at = this.state.now();
    const check: CheckRun = {
      id: this.state.nextId('check'),
      head_sha: init.headSha,
      name: init.name,
      status,
      conclusion: init.conclusion ?? (status === 'completed' ? 'success' : null),
      started_at: at,
      completed_at: status === 'completed' ? at : null,
      summary: init.summary ?? null,
    };
    const r = this.repoOrThrow(owner, repo);
    r.checkRuns.push(check);
    // A check that completes may unblock a PR whose auto-merge is enabled: GitHub merges it then.
    settleAutoMerges(this.state, r);
    return check;
  }

  /** Adds a job to a run (every run starts with one job named `pilot`). */
  addJob(runId: number, init: { name: string; log?: string; labels?: string[] }): Job {
    return this.state.addJob(this.runOrThrow(runId), init);
  }

  /**
   * A finished run of the user's CI (not Pilot's) on a branch, with its jobs, their steps and logs: what
   * a `workflow_run.completed` event points at. Its one default `pilot` job is replaced by `jobs`.
   */
  addCiRun(
    owner: string,
    repo: string,
    init: {
      name?: string;
      headBranch: string;
      headSha: string;
      conclusion: 'success' | 'failure';
      jobs: Array<{ name: string; log: string; steps?: JobStep[]; conclusion: 'success' | 'failure' }>;
    },
  ): Run {
    const run = this.state.startRun(this.repoOrThrow(owner, repo), {
      event: 'pull_request',
      name: init.name ?? 'CI',
      headBranch: init.headBranch,
      headSha: init.headSha,
    });
    for (const job of run.jobs) this.state.jobs.delete(job.id);
    run.jobs = [];
    for (const job of init.jobs) {
      const added = this.state.addJob(run, { name: job.name, log: job.log, steps: job.steps });
      added.status = 'completed';
      added.conclusion = job.conclusion;
      added.completed_at = this.state.now();
    }
    this.state.finishRun(run, init.conclusion);
    return run;
  }

  /** Finishes a rerun's attempt: every job still queued gets `conclusion`, and so does the run. */
  finishRerun(runId: number, conclusion: 'success' | 'failure', log?: string): Run {
    const run = this.runOrThrow(runId);
    for (const job of run.jobs) if (job.status !== 'completed' && log !== undefined) job.log = log;
    this.state.finishRun(run, conclusion);
    return run;
  }

  setJobLog(jobId: number, log: string): void {
    const job = this.state.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    job.log = log;
  }

  /** Makes matching requests fail (5xx, 403 secondary rate limit with `retry-after`, 429). */
  injectFault(fault: Fault): ActiveFault {
    const active: ActiveFault = { ...fault, hits: 0 };
    this.server.faults.push(active);
    return active;
  }

  // ── RunHost ───────────────────────────────────────────────────────────────────────────────────

  startRun(info: RunInfo): number {
    const repo = this.repoOrThrow(info.owner, info.repo);
    return this.state.startRun(repo, {
      event: info.event,
      name: info.name,
      headBranch: info.headBranch,
      headSha: info.headSha,
      attempt: info.runAttempt,
    }).id;
  }

  finishRun(runId: number, conclusion: 'success' | 'failure' | 'cancelled'): void {
    this.state.finishRun(this.runOrThrow(runId), conclusion);
  }

  takeDispatches(): RecordedDispatch[] {
    const taken = this.state.pendingDispatches;
    this.state.pendingDispatches = [];
    return taken;
  }

  cancelRequested(runId: number): boolean {
    return this.runOrThrow(runId).cancelRequested;
  }

  // ── readers ───────────────────────────────────────────────────────────────────────────────────

  issue(owner: string, repo: string, number: number): Issue {
    return this.issueOrThrow(owner, repo, number);
  }

  /** Comments on an issue or PR, oldest first, each with its edit history. */
  comments(owner: string, repo: string, number: number): Comment[] {
    return this.issueOrThrow(owner, repo, number)
      .comments.map((id) => this.state.comments.get(id))
      .filter((c): c is Comment => c !== undefined);
  }

  comment(commentId: number): Comment {
    return this.commentOrThrow(commentId);
  }

  reactions(owner: string, repo: string, target: ReactionTarget): Reaction[] {
    return [...this.reactionList(owner, repo, target)];
  }

  /** Numbers of the repository's pinned issues. */
  pinnedIssues(owner: string, repo: string): number[] {
    return [...this.repoOrThrow(owner, repo).issues.values()].filter((i) => i.pinned).map((i) => i.number);
  }

  /** Pins an issue as a maintainer would in the UI. */
  pinIssue(owner: string, repo: string, number: number): void {
    this.issueOrThrow(owner, repo, number).pinned = true;
  }

  /** Labels on an issue or PR. */
  labels(owner: string, repo: string, number: number): string[] {
    return [...this.issueOrThrow(owner, repo, number).labels];
  }

  /** The repository's issues that are not pull requests, oldest first. */
  issues(owner: string, repo: string): Issue[] {
    return [...this.repoOrThrow(owner, repo).issues.values()].filter((i) => !i.pull);
  }

  pulls(owner: string, repo: string): PullView[] {
    return [...this.repoOrThrow(owner, repo).issues.values()].filter((i) => i.pull).map((i) => pullView(i));
  }

  /** Every ref of the repository (`refs/heads/main` → sha), including leases under `refs/pilot/`. */
  refs(owner: string, repo: string): Record<string, string> {
    return Object.fromEntries(this.repoOrThrow(owner, repo).refs);
  }

  /** Ref writes made through the API, in order, with who made them. */
  refWrites(): RefWrite[] {
    return [...this.state.refLog];
  }

  /** Every dispatch ever recorded (`takeDispatches` does not clear this). */
  dispatches(): DispatchRecord[] & RecordedDispatch[] {
    return [...this.state.dispatchLog];
  }

  run(runId: number): Run {
    return this.runOrThrow(runId);
  }

  runs(owner: string, repo: string): Run[] {
    const key = this.repoOrThrow(owner, repo).key;
    return [...this.state.runs.values()].filter((r) => r.repoKey === key);
  }

  /** Every request the emulator answered, in order (method, path, status, actor, body). */
  requests(): RequestRecord[] {
    return [...this.server.requests];
  }

  /** REST shapes for building webhook payloads (`repository`, `issue`, `comment`, `sender`…). */
  readonly json = {
    repo: (owner: string, repo: string): Json => shapes.repoJson(this.state, this.repoOrThrow(owner, repo)),
    issue: (owner: string, repo: string, number: number): Json =>
      shapes.issueJson(this.state, this.repoOrThrow(owner, repo), this.issueOrThrow(owner, repo, number)),
    pull: (owner: string, repo: string, number: number): Json =>
      shapes.pullJson(this.state, this.repoOrThrow(owner, repo), this.issueOrThrow(owner, repo, number)),
    comment: (owner: string, repo: string, commentId: number): Json =>
      shapes.commentJson(this.state, this.repoOrThrow(owner, repo), this.commentOrThrow(commentId)),
    user: (login: string): Json => shapes.userJson(this.state, this.state.user(login)),
    run: (runId: number): Json => {
      const run = this.runOrThrow(runId);
      return shapes.runJson(this.state, this.state.repoByKey(run.repoKey) as Repo, run);
    },
  };

  // ── lookups that fail loudly (a test seeding a missing repo is a bug in the test) ──────────────

  private repoOrThrow(owner: string, repo: string): Repo {
    const r = this.state.repo(owner, repo);
    if (!r) throw new Error(`emulator has no repository ${owner}/${repo}; call addRepo first`);
    return r;
  }

  private issueOrThrow(owner: string, repo: string, number: number): Issue {
    const issue = this.state.issue(this.repoOrThrow(owner, repo), number);
    if (!issue) throw new Error(`emulator has no issue ${owner}/${repo}#${number}`);
    return issue;
  }

  private commentOrThrow(id: number): Comment {
    const comment = this.state.comments.get(id);
    if (!comment) throw new Error(`emulator has no comment ${id}`);
    return comment;
  }

  private runOrThrow(id: number): Run {
    const run = this.state.runs.get(id);
    if (!run) throw new Error(`emulator has no run ${id}`);
    return run;
  }

  private reactionList(owner: string, repo: string, target: ReactionTarget): Reaction[] {
    return 'issue' in target
      ? this.issueOrThrow(owner, repo, target.issue).reactions
      : this.commentOrThrow(target.comment).reactions;
  }
}

function pullView(issue: Issue): PullView {
  const pr = issue.pull as NonNullable<Issue['pull']>;
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    draft: pr.draft,
    merged: pr.merged_at !== null,
    user: issue.user,
    head: { ref: pr.headRef, sha: pr.headSha, repo: pr.headRepoKey },
    base: { ref: pr.baseRef, sha: pr.baseSha },
    labels: [...issue.labels],
    reviews: [...pr.reviews],
  };
}

/** Starts the emulator on 127.0.0.1 at a random port. Close it when the test ends. */
export async function startGitHub(opts: StartOptions = {}): Promise<GitHubEmulator> {
  const emulator = new GitHubEmulator(opts);
  await emulator.listen();
  return emulator;
}
