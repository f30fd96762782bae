// The emulator's in-memory GitHub: users, repositories, issues and pulls (one number sequence per
// repository, as on GitHub), comments with edit history, reactions, refs, runs, jobs and check runs.
// Routes and tests both go through these methods, so a seeded object and one created over HTTP
// look the same.
import { createHash } from 'node:crypto';
import type { DispatchRecord } from '../types.js';
import { GitObjects } from './git-objects.js';

export type UserType = 'User' | 'Bot' | 'Organization';
export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
export type ReactionContent = '+1' | '-1' | 'laugh' | 'confused' | 'heart' | 'hooray' | 'rocket' | 'eyes';
export const REACTION_CONTENTS: readonly ReactionContent[] = [
  '+1',
  '-1',
  'laugh',
  'confused',
  'heart',
  'hooray',
  'rocket',
  'eyes',
];

export interface User {
  login: string;
  id: number;
  type: UserType;
}

/** The identity of the default Actions `GITHUB_TOKEN` (see FACTS: "Who Pilot is"). */
export const ACTIONS_BOT: User = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' };

export interface Reaction {
  id: number;
  user: User;
  content: ReactionContent;
  created_at: string;
}

export interface CommentEdit {
  body: string;
  at: string;
  by: User;
}

export interface Comment {
  id: number;
  repoKey: string;
  issue: number;
  body: string;
  user: User;
  created_at: string;
  updated_at: string;
  /** Earlier bodies, oldest first; the current body is `body`. */
  history: CommentEdit[];
  reactions: Reaction[];
}

export interface IssueEvent {
  id: number;
  event: 'labeled' | 'unlabeled' | 'closed' | 'reopened';
  actor: User;
  created_at: string;
  label?: string;
}

export interface Review {
  id: number;
  user: User;
  body: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'PENDING' | 'DISMISSED';
  commit_id: string;
  submitted_at: string;
}

/** A line comment of a review (or a reply in its thread, `in_reply_to_id` set). */
export interface ReviewComment {
  id: number;
  reviewId: number;
  user: User;
  body: string;
  path: string;
  line: number;
  diff_hunk: string;
  commit_id: string;
  in_reply_to_id?: number;
  created_at: string;
  updated_at: string;
}

export interface PullData {
  id: number;
  headRef: string;
  headSha: string;
  /** `owner/repo` of the head repository (a fork when it differs from the base repository). */
  headRepoKey: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged_at: string | null;
  merged_by: User | null;
  merge_commit_sha: string | null;
  maintainer_can_modify: boolean;
  reviews: Review[];
  /** Line comments of every review, replies included, oldest first. */
  reviewComments: ReviewComment[];
  /** Auto-merge enabled through GraphQL `enablePullRequestAutoMerge`; GitHub merges once nothing blocks. */
  autoMerge?: { method: string; by: User; at: string } | null;
  /** Review threads (GraphQL `reviewThreads`): who started each, and whether it is resolved. */
  threads?: Array<{ author: User; resolved: boolean }>;
  /** A test's override of the computed `mergeable_state` (e.g. `dirty` for a conflict). */
  mergeableState?: string;
}

export interface Issue {
  id: number;
  number: number;
  repoKey: string;
  title: string;
  body: string | null;
  user: User;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  closed_by: User | null;
  comments: number[];
  reactions: Reaction[];
  events: IssueEvent[];
  pull?: PullData;
  /** Pinned to the repository's issue list (GraphQL `pinIssue`). */
  pinned?: boolean;
}

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface Job {
  id: number;
  runId: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  log: string;
  labels: string[];
  /** The job's steps as the jobs API lists them (CI fixes read the first failing one). */
  steps: JobStep[];
}

export interface JobStep {
  name: string;
  conclusion: 'success' | 'failure' | 'skipped' | null;
}

export interface Run {
  id: number;
  repoKey: string;
  event: string;
  name: string;
  headBranch: string;
  headSha: string;
  attempt: number;
  runNumber: number;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | null;
  created_at: string;
  updated_at: string;
  actor: User;
  cancelRequested: boolean;
  jobs: Job[];
  /** How many times `rerun-failed-jobs` was asked for. */
  rerunRequests?: number;
}

export interface CheckRun {
  id: number;
  head_sha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  started_at: string;
  completed_at: string | null;
  summary: string | null;
}

export interface Repo {
  id: number;
  key: string;
  owner: User;
  name: string;
  defaultBranch: string;
  private: boolean;
  allowActionsToCreatePullRequests: boolean;
  created_at: string;
  /** Full ref name (`refs/heads/main`, `refs/pilot/leases/issue-7`) → sha. */
  refs: Map<string, string>;
  roles: Map<string, Role>;
  labels: Map<string, Label>;
  issues: Map<number, Issue>;
  nextNumber: number;
  checkRuns: CheckRun[];
  runNumber: number;
  /** `allow_auto_merge`: the repository lets pull requests merge automatically. */
  allowAutoMerge?: boolean;
  /** Branch protection's required status checks, by branch name. */
  protection?: Map<string, { strict: boolean; contexts: string[] }>;
  /** GitHub Environments by name (`protection_rules` as GitHub returns them). */
  environments?: Map<string, Environment>;
}

export interface Environment {
  id: number;
  name: string;
  created_at: string;
  /** Logins of required reviewers; empty = the environment has no required_reviewers rule. */
  reviewers: string[];
}

/** Where branch shas come from when a test has not set them: usually the bare origin repository. */
export type RefResolver = (owner: string, repo: string, ref: string) => string | undefined;

export interface CacheEntry {
  id: number;
  key: string;
  ref: string;
  version: string;
  size_in_bytes: number;
  created_at: string;
  last_accessed_at: string;
}

/** The cache-service emulator's view of its entries, for the caches REST routes. */
export interface CacheEntries {
  listEntries(): CacheEntry[];
  deleteEntry(id: number): void;
}

/** A recorded `POST /dispatches`, with the identity that made it (the harness puts it in `sender`). */
export interface RecordedDispatch extends DispatchRecord {
  sender: User;
  at: string;
}

/** One write to a ref through the API (create, update, delete = sha null). */
export interface RefWrite {
  repo: string;
  ref: string;
  sha: string | null;
  by: User;
  at: string;
}

/** A fake but stable 40-hex sha for a name (deterministic ids make failures reproducible). */
export function fakeSha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/**
 * Monotonic clock: real time, but never the same instant twice, so `updated_at` always moves and
 * ordering by time is total.
 */
export function monotonicClock(): () => string {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return new Date(last).toISOString();
  };
}

export class GitHubState {
  readonly users = new Map<string, User>();
  readonly repos = new Map<string, Repo>();
  readonly comments = new Map<number, Comment>();
  readonly runs = new Map<number, Run>();
  readonly jobs = new Map<number, Job>();
  /** Every dispatch ever recorded, and those not yet taken by the runner harness. */
  readonly dispatchLog: RecordedDispatch[] = [];
  pendingDispatches: RecordedDispatch[] = [];
  readonly refLog: RefWrite[] = [];
  cacheEntries?: CacheEntries;
  refResolver?: RefResolver;
  private readonly counters = new Map<string, number>();
  /** Git objects (blobs, trees, commits) created through the Git Data API, per repository key. */
  private readonly gitStores = new Map<string, GitObjects>();

  constructor(
    readonly apiUrl: () => string,
    readonly serverUrl: string,
    readonly now: () => string,
  ) {
    this.users.set(ACTIONS_BOT.login, ACTIONS_BOT);
  }

  /** The repository's git object store (created on first use). */
  objects(repo: Repo): GitObjects {
    const key = repo.key.toLowerCase();
    let store = this.gitStores.get(key);
    if (!store) {
      store = new GitObjects();
      this.gitStores.set(key, store);
    }
    return store;
  }

  /** Deterministic id per kind: the n-th comment of a world always has the same id. */
  nextId(kind: string): number {
    const bases: Record<string, number> = {
      user: 1000,
      repo: 100,
      run: 9000,
      job: 50000,
      'review-comment': 70000,
    };
    const n = (this.counters.get(kind) ?? bases[kind] ?? 1) + 1;
    this.counters.set(kind, n);
    return n;
  }

  /** Finds or creates a user; bots are recognised by the `[bot]` suffix unless a type is given. */
  user(login: string, type?: UserType): User {
    const existing = this.users.get(login);
    if (existing) {
      if (type && existing.type !== type && login !== ACTIONS_BOT.login) existing.type = type;
      return existing;
    }
    const user: User = {
      login,
      id: this.nextId('user'),
      type: type ?? (login.endsWith('[bot]') ? 'Bot' : 'User'),
    };
    this.users.set(login, user);
    return user;
  }

  repo(owner: string, name: string): Repo | undefined {
    return this.repoByKey(`${owner}/${name}`);
  }

  /** Repositories are found case-insensitively, as on GitHub; `key` keeps the original case. */
  repoByKey(key: string): Repo | undefined {
    return this.repos.get(key.toLowerCase());
  }

  issue(repo: Repo, number: number): Issue | undefined {
    return repo.issues.get(number);
  }

  /** Role of a login on a repo: the owner is admin, others what `setPermission` said. */
  role(repo: Repo, login: string): Role | undefined {
    if (repo.owner.type !== 'Organization' && repo.owner.login === login) return 'admin';
    return repo.roles.get(login);
  }

  /** Resolves a branch, tag, full ref or sha to a sha. */
  resolveRef(repo: Repo, ref: string): string | undefined {
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    const candidates = ref.startsWith('refs/')
      ? [ref]
      : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`];
    for (const full of candidates) {
      const sha = repo.refs.get(full) ?? this.resolveExternal(repo, full);
      if (sha) return sha;
    }
    return undefined;
  }

  private resolveExternal(repo: Repo, fullRef: string): string | undefined {
    if (!this.refResolver || !fullRef.startsWith('refs/heads/')) return undefined;
    return this.refResolver(repo.owner.login, repo.name, fullRef.slice('refs/heads/'.length));
  }

  /** Allocates the next issue/PR number of a repo (they share one sequence, as on GitHub). */
  createIssue(
    repo: Repo,
    init: { title: string; body?: string | null; user: User; labels?: string[] },
  ): Issue {
    const at = this.now();
    const issue: Issue = {
      id: this.nextId('issue'),
      number: repo.nextNumber++,
      repoKey: repo.key,
      title: init.title,
      body: init.body ?? null,
      user: init.user,
      state: 'open',
      state_reason: null,
      labels: [],
      created_at: at,
      updated_at: at,
      closed_at: null,
      closed_by: null,
      comments: [],
      reactions: [],
      events: [],
    };
    repo.issues.set(issue.number, issue);
    for (const name of init.labels ?? []) this.addLabel(repo, issue, name, init.user);
    return issue;
  }

  /** Repository label by name, created on first use (GitHub creates unknown labels added to issues). */
  ensureLabel(repo: Repo, name: string): Label {
    const key = name.toLowerCase();
    let label = repo.labels.get(key);
    if (!label) {
      label = { id: this.nextId('label'), name, color: fakeSha(name).slice(0, 6), description: null };
      repo.labels.set(key, label);
    }
    return label;
  }

  addLabel(repo: Repo, issue: Issue, name: string, actor: User): void {
    const label = this.ensureLabel(repo, name);
    if (issue.labels.some((l) => l.toLowerCase() === name.toLowerCase())) return;
    issue.labels.push(label.name);
    issue.updated_at = this.now();
    issue.events.push({
      id: this.nextId('event'),
      event: 'labeled',
      actor,
      created_at: issue.updated_at,
      label: label.name,
    });
  }

  removeLabel(issue: Issue, name: string, actor: User): boolean {
    const index = issue.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
    if (index < 0) return false;
    const [removed] = issue.labels.splice(index, 1);
    issue.updated_at = this.now();
    issue.events.push({
      id: this.nextId('event'),
      event: 'unlabeled',
      actor,
      created_at: issue.updated_at,
      label: removed,
    });
    return true;
  }

  setState(issue: Issue, state: 'open' | 'closed', actor: User, reason?: string | null): void {
    if (issue.state === state) return;
    issue.state = state;
    issue.updated_at = this.now();
    issue.closed_at = state === 'closed' ? issue.updated_at : null;
    issue.closed_by = state === 'closed' ? actor : null;
    issue.state_reason = state === 'closed' ? (reason ?? 'completed') : (reason ?? 'reopened');
    issue.events.push({
      id: this.nextId('event'),
      event: state === 'closed' ? 'closed' : 'reopened',
      actor,
      created_at: issue.updated_at,
    });
  }

  createComment(repo: Repo, issue: Issue, body: string, user: User): Comment {
    const at = this.now();
    const comment: Comment = {
      id: this.nextId('comment'),
      repoKey: repo.key,
      issue: issue.number,
      body,
      user,
      created_at: at,
      updated_at: at,
      history: [],
      reactions: [],
    };
    this.comments.set(comment.id, comment);
    issue.comments.push(comment.id);
    issue.updated_at = at;
    return comment;
  }

  /** Changes a comment's body, keeping the old one in its history; `updated_at` moves. */
  editComment(comment: Comment, body: string, by: User): Comment {
    comment.history.push({ body: comment.body, at: comment.updated_at, by });
    comment.body = body;
    comment.updated_at = this.now();
    return comment;
  }

  deleteComment(comment: Comment): void {
    this.comments.delete(comment.id);
    const issue = this.repoByKey(comment.repoKey)?.issues.get(comment.issue);
    if (issue) issue.comments = issue.comments.filter((id) => id !== comment.id);
  }

  /** Adds a reaction, or returns the same user's existing one with `created: false` (GitHub's 200). */
  react(list: Reaction[], user: User, content: ReactionContent): { reaction: Reaction; created: boolean } {
    const existing = list.find((r) => r.user.login === user.login && r.content === content);
    if (existing) return { reaction: existing, created: false };
    const reaction: Reaction = { id: this.nextId('reaction'), user, content, created_at: this.now() };
    list.push(reaction);
    return { reaction, created: true };
  }

  /** Opens a PR: an issue with pull data, numbered in the issues' sequence. */
  createPull(
    repo: Repo,
    init: {
      title: string;
      body?: string | null;
      user: User;
      headRepo?: Repo;
      headRef: string;
      headSha: string;
      baseRef: string;
      baseSha: string;
      draft?: boolean;
      maintainerCanModify?: boolean;
    },
  ): Issue {
    const issue = this.createIssue(repo, { title: init.title, body: init.body, user: init.user });
    issue.pull = {
      id: this.nextId('pull'),
      headRef: init.headRef,
      headSha: init.headSha,
      headRepoKey: (init.headRepo ?? repo).key,
      baseRef: init.baseRef,
      baseSha: init.baseSha,
      draft: init.draft ?? false,
      merged_at: null,
      merged_by: null,
      merge_commit_sha: null,
      maintainer_can_modify: init.maintainerCanModify ?? true,
      reviews: [],
      reviewComments: [],
    };
    return issue;
  }

  addReview(issue: Issue, init: Omit<Review, 'id' | 'submitted_at'>): Review {
    const review: Review = { ...init, id: this.nextId('review'), submitted_at: this.now() };
    issue.pull?.reviews.push(review);
    return review;
  }

  addReviewComment(
    issue: Issue,
    init: Omit<ReviewComment, 'id' | 'created_at' | 'updated_at'>,
  ): ReviewComment {
    const at = this.now();
    const comment: ReviewComment = {
      ...init,
      id: this.nextId('review-comment'),
      created_at: at,
      updated_at: at,
    };
    issue.pull?.reviewComments.push(comment);
    return comment;
  }

  recordRefWrite(repo: Repo, ref: string, sha: string | null, by: User): void {
    this.refLog.push({ repo: repo.key, ref, sha, by, at: this.now() });
  }

  recordDispatch(d: Omit<RecordedDispatch, 'at'>): void {
    const record: RecordedDispatch = { ...d, at: this.now() };
    this.dispatchLog.push(record);
    this.pendingDispatches.push(record);
  }

  startRun(
    repo: Repo,
    init: {
      event: string;
      name?: string;
      headBranch: string;
      headSha: string;
      attempt?: number;
      actor?: User;
    },
  ): Run {
    const at = this.now();
    const run: Run = {
      id: this.nextId('run'),
      repoKey: repo.key,
      event: init.event,
      name: init.name ?? 'Pilot',
      headBranch: init.headBranch,
      headSha: init.headSha,
      attempt: init.attempt ?? 1,
      runNumber: ++repo.runNumber,
      status: 'in_progress',
      conclusion: null,
      created_at: at,
      updated_at: at,
      actor: init.actor ?? ACTIONS_BOT,
      cancelRequested: false,
      jobs: [],
    };
    this.runs.set(run.id, run);
    this.addJob(run, { name: 'pilot' });
    return run;
  }

  addJob(run: Run, init: { name: string; log?: string; labels?: string[]; steps?: JobStep[] }): Job {
    const job: Job = {
      id: this.nextId('job'),
      runId: run.id,
      name: init.name,
      status: run.status,
      conclusion: run.conclusion,
      started_at: this.now(),
      completed_at: null,
      log: init.log ?? '',
      labels: init.labels ?? ['ubuntu-latest'],
      steps: init.steps ?? [],
    };
    run.jobs.push(job);
    this.jobs.set(job.id, job);
    return job;
  }

  /**
   * `POST …/rerun-failed-jobs`: the same run, its next attempt, with the failed jobs queued again (a
   * finished job keeps its result, as on GitHub). Who asked is recorded for tests.
   */
  rerunFailedJobs(run: Run, actor: User): void {
    run.attempt += 1;
    run.status = 'queued';
    run.conclusion = null;
    run.actor = actor;
    run.updated_at = this.now();
    run.rerunRequests = (run.rerunRequests ?? 0) + 1;
    for (const job of run.jobs) {
      if (job.conclusion !== 'failure') continue;
      job.status = 'queued';
      job.conclusion = null;
      job.completed_at = null;
    }
  }

  finishRun(run: Run, conclusion: 'success' | 'failure' | 'cancelled'): void {
    const at = this.now();
    run.status = 'completed';
    run.conclusion = conclusion;
    run.updated_at = at;
    for (const job of run.jobs) {
      if (job.status === 'completed') continue;
      job.status = 'completed';
      job.conclusion = conclusion;
      job.completed_at = at;
    }
  }
}
