// The work run: a trusted run (writable cache) that turns the issue into a branch and a PR.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as core from '@actions/core';
import { type AgentResult, agentDeadline, runnerCancellation } from '../agent/claude.js';
import { installClaude } from '../agent/install/index.js';
import {
  type IsolationReport,
  isolatedRunOptions,
  runIsolated,
  withIsolation,
} from '../agent/isolation/index.js';
import { Progress } from '../agent/progress.js';
import { type SessionOptions, type SessionOutcome, sessionRunner } from '../agent/session/index.js';
import type { Intent } from '../events/intent.js';
import { BranchRefused, changedPaths, checkoutTaskBranch, issueOfBranch, taskBranch } from '../git/branch.js';
import { scrubCredentials } from '../git/credentials.js';
import { createGit, type Git, RepositoryChanged, tokenEnv } from '../git/git.js';
import { defaultTokenNote } from '../github/app-token.js';
import { failureMessage } from '../github/platform.js';
import { PullRequestRefused, upsertPull } from '../github/pulls.js';
import { sharedReserve } from '../github/reserve.js';
import { buildPrompt, buildSystemPrompt } from '../prompt/build.js';
import { annotateFailure } from '../report/annotations.js';
import { formatDuration, formatUsd, renderTracking, type TrackingView } from '../report/comment.js';
import { type Outcome, writeSummary } from '../report/outputs.js';
import { neutraliseAgentText, PushRefused } from '../security/outgoing.js';
import { protectionRules } from '../security/protected-paths.js';
import { redact } from '../security/redact.js';
import { newTask, type TaskDoc, withRun } from '../state/task.js';
import { findTracking, rebuildTask, type TrackingComment, writeTracking } from '../state/tracking.js';
import { checkpointOptions, startCheckpoints } from './checkpoint.js';
import { commitPaths, push } from './commit-push.js';
import { runUrlOf } from './context.js';
import { type Deps, markerKey } from './deps.js';
import { planTask, type TaskPlan } from './plan.js';
import { markSessionSaved, saveRepoIdentity, saveRunState, saveSessionState } from './post-state.js';
import { recordRun } from './record-run.js';
import { type IssueText, readThread } from './thread.js';
import { triggerTimeOf } from './trigger-time.js';

interface Workspace {
  git: Git;
  auth: Record<string, string>;
  base: string;
  dirtyBefore: Set<string>;
}

async function prepareWorkspace(deps: Deps, branch: string): Promise<Workspace> {
  // `.git` as checked out, before the agent gets anything: every later git call (and the post step's)
  // checks it is still this directory.
  const git = createGit(deps.ctx.workspace);
  saveRepoIdentity(git.identity);
  const removed = await scrubCredentials(git);
  if (removed.length)
    core.info(
      `Removed persisted checkout credentials: ${removed.length} entr${removed.length === 1 ? 'y' : 'ies'}`,
    );
  const auth = tokenEnv(deps.token, deps.ctx.serverUrl);
  const { data: repo } = await deps.octokit.rest.repos.get({ ...deps.ctx.repo });
  const base = repo.default_branch;
  await checkoutTaskBranch(git, { branch, base, auth });
  return { git, auth, base, dirtyBefore: await changedPaths(git) };
}

async function readClaudeMd(ws: Workspace): Promise<string | null> {
  // From the default branch, not the working tree: a task branch must not rewrite the agent's rules.
  const shown = await ws.git.run(['show', `refs/remotes/origin/${ws.base}:CLAUDE.md`], { allowFail: true });
  return shown.code === 0 ? shown.stdout : null;
}

function allowedTools(deps: Deps, command: string): string[] {
  const read = ['Read', 'Glob', 'Grep', 'LS', 'TodoWrite'];
  if (command === 'plan') return read;
  const bash = deps.config.allowedBash.map((cmd) => `Bash(${cmd}:*)`);
  return [...read, 'Edit', 'MultiEdit', 'Write', ...bash];
}

async function runAgent(
  deps: Deps,
  intent: Intent,
  ws: Workspace,
  branch: string,
  plan: TaskPlan,
  isolation: IsolationReport,
  life: AgentLife,
): Promise<AgentResult & { session?: SessionOutcome }> {
  const triggerTime = await triggerTimeOf({ octokit: deps.octokit, repo: deps.ctx.repo }, intent, deps.now());
  const thread = await readThread(deps, life.issue, triggerTime);
  const nonce = randomBytes(8).toString('hex');
  const { config, ctx } = deps;
  const jobDeadline = agentDeadline(deps.now(), plan.timeoutMinutes);
  const systemPrompt = buildSystemPrompt(nonce, await readClaudeMd(ws));
  // Gateway, separate user, Pilot's settings, env allowlist: see src/agent/isolation/.
  // The model the CLI is given below, so the gateway refuses any other.
  const model = plan.model || undefined;
  const options = isolatedRunOptions(
    { ...config, model, claudePath: life.claudePath },
    ctx,
    isolation,
    (line) => core.info(redact(line)),
  );
  const session = sessionRunner(sessionOptions(deps, intent, life.prior, life.issue.body));
  const result = await runIsolated(options, (launch) =>
    session.run({
      ...launch,
      cwd: ctx.workspace,
      prompt: buildPrompt({
        issue: thread.number,
        title: thread.title,
        body: thread.body,
        comments: thread.comments,
        command: intent.command,
        args: intent.args,
        branch,
        nonce,
        maxChars: 100_000,
      }),
      systemPrompt,
      maxTurns: plan.maxTurns,
      maxBudgetUsd: config.maxCostUsd,
      model,
      allowedTools: allowedTools(deps, intent.command),
      deadline: jobDeadline,
      onAction: (action) => core.info(`agent: ${redact(action)}`),
      onEvent: life.progress.onEvent,
      signal: life.signal,
    }),
  );
  return { ...result, session: session.outcome() };
}

/** What the agent's run needs besides the task: its binary, session inputs, progress, cancellation. */
interface AgentLife {
  prior: TaskDoc | null;
  issue: IssueText;
  claudePath: string;
  progress: Progress;
  signal: AbortSignal;
}

async function setupClaude(deps: Deps): Promise<string> {
  const { config } = deps;
  const installed = await installClaude({
    version: config.claudeCodeVersion,
    claudePath: config.claudePath,
    log: (line) => core.info(line),
  });
  const saved = installed.savedToCache ? '; saved to the Actions cache' : '';
  core.info(`Claude Code: ${installed.path} (from ${installed.source}${saved})`);
  return installed.path;
}

/** Where the agent's session is kept and what keys it; src/agent/session/ does the rest. */
function sessionOptions(
  deps: Deps,
  intent: Intent,
  prior: TaskDoc | null,
  issueBody: string,
): Omit<SessionOptions, 'configDir'> {
  const { config, ctx } = deps;
  const repository = (ctx.payload as { repository?: { id?: number } }).repository;
  return {
    workDir: path.join(ctx.runnerTemp, 'pilot-session'),
    runId: ctx.runId,
    attempt: ctx.runAttempt,
    issue: intent.issue as number,
    command: intent.command,
    issueBody,
    prior,
    credential: config.anthropicApiKey ?? config.claudeCodeOauthToken,
    repositoryId: String(repository?.id ?? ctx.repository),
    // If the run is killed before it saves the session, the post step saves it (post.ts).
    onOpened: saveSessionState,
    onSaved: markSessionSaved,
  };
}

interface Published {
  commit: string | null;
  pr?: { number: number; url: string };
  notCommitted: string[];
}

async function publish(
  deps: Deps,
  ws: Workspace,
  branch: string,
  title: string,
  agent: AgentResult,
  issue: number,
) {
  const after = await changedPaths(ws.git);
  const agentPaths = [...after].filter((p) => !ws.dirtyBefore.has(p));
  const notCommitted = [...after].filter((p) => ws.dirtyBefore.has(p));
  const identity = { name: deps.config.gitUserName, email: deps.config.gitUserEmail };
  const message = agent.ok ? `${title}\n\nCloses #${issue}` : `WIP: ${title} (#${issue})`;
  const commit = await commitPaths(ws.git, agentPaths, message, identity);
  logCommit(commit, agentPaths, notCommitted);
  const ahead = await ws.git.run(['rev-list', '--count', `refs/remotes/origin/${ws.base}..HEAD`]);
  // An App token may have been minted an hour ago: push with a fresh one.
  const auth = deps.tokens ? tokenEnv(await deps.tokens.token(), deps.ctx.serverUrl) : ws.auth;
  if (commit) {
    await push(ws.git, { branch, issue, auth, rules: protectionRules(deps.config) });
    core.info(`Pushed ${commit.slice(0, 12)} to ${branch}`);
  }
  const published: Published = { commit, notCommitted };
  if (agent.ok && Number(ahead.stdout.trim()) > 0) {
    const pr = await upsertPull(deps.octokit, deps.ctx.repo, {
      branch,
      base: ws.base,
      title,
      body: redact(pullBody(issue, agent)),
      draft: deps.config.draftPr,
      labels: deps.config.prLabels,
    });
    published.pr = pr;
    core.info(`Pull request #${pr.number} ${pr.created ? 'opened' : 'updated'}: ${pr.url}`);
  } else
    core.info(
      agent.ok
        ? `No pull request: ${branch} has no commits ahead of ${ws.base}`
        : 'No pull request: the agent did not finish',
    );
  return published;
}

/** What the commit holds, so the log group says what was pushed (paths only, never contents). */
function logCommit(commit: string | null, paths: string[], notCommitted: string[]): void {
  if (commit)
    core.info(
      redact(
        `Committed ${paths.length} changed path(s) as ${commit.slice(0, 12)}: ${paths.slice(0, 50).join(', ')}`,
      ),
    );
  else core.info('Nothing to commit: the agent changed no files');
  if (notCommitted.length)
    core.info(
      redact(
        `Left uncommitted (already changed before the agent ran): ${notCommitted.slice(0, 50).join(', ')}`,
      ),
    );
}

function pullBody(issue: number, agent: AgentResult): string {
  // The agent's words are untrusted: no hidden comments, foreign images, closing keywords or team pings.
  const summary = neutraliseAgentText(agent.resultText.trim()) || 'Changes made by Pilot.';
  return `${summary.slice(0, 60_000)}\n\n---\nCloses #${issue}\n\n_Opened by Pilot (${agent.numTurns} turns, ${formatUsd(agent.costUsd)})._`;
}

function finalStatus(agent: AgentResult, published: Published | null): TaskDoc['status'] {
  if (agent.stopReason === 'budget') return 'budget_exceeded';
  if (agent.stopReason === 'cancelled') return 'cancelled';
  if (!agent.ok) return 'failed';
  return published?.pr ? 'pr_open' : 'needs_human';
}

function headlineOf(agent: AgentResult, published: Published | null, branch: string): string {
  if (agent.ok && published?.pr) return `pull request #${published.pr.number} is open`;
  if (agent.ok) return 'finished with no changes to commit';
  const wip = published?.commit ? `; work so far is on branch \`${branch}\`` : '';
  switch (agent.stopReason) {
    case 'max_turns':
      return `stopped after ${agent.numTurns} turns (max-turns)${wip}`;
    case 'timeout':
      return `stopped at the time limit${wip}`;
    case 'budget':
      return `stopped at the cost limit${wip}`;
    case 'cancelled':
      return `cancelled${wip}; \`/pilot retry\` resumes`;
    default:
      return `the agent failed${wip}`;
  }
}

/** What the run knows once the task is claimed: the issue, its plan, and the tracking comment. */
interface TaskStart {
  issue: number;
  title: string;
  body: string;
  author: IssueText['author'];
  prior: TaskDoc | null;
  branch: string;
  plan: TaskPlan;
  task: TaskDoc;
  tracking: TrackingComment;
  startView: TrackingView;
  links: Array<[string, string]>;
  started: number;
}

interface PublishResult {
  published: Published | null;
  error?: string;
  needsHuman: boolean;
}

/** Reads the issue, plans it, and says "working on it" in the tracking comment. */
async function startTask(deps: Deps, intent: Intent): Promise<TaskStart> {
  const { ctx, octokit } = deps;
  const started = deps.now();
  const issue = intent.issue as number;
  const { data } = await octokit.rest.issues.get({ ...ctx.repo, issue_number: issue });
  const found = await findTracking(octokit, ctx.repo, issue, deps.config.botLogin, markerKey(deps, issue));
  // No branch in an authenticated marker (a new task, or only forged markers): what GitHub records is
  // the truth, i.e. the open PR on the issue's own `pilot/issue-<n>-…` branch.
  const rebuilt = found?.task.branch ? {} : await rebuildTask(octokit, ctx.repo, issue);
  const known = { ...(found?.task ?? newTask()), ...rebuilt };
  const branch = ownBranch(known.branch, issue) ?? taskBranch(issue, data.title);
  const body = data.body ?? '';
  const labels = data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
  const plan = planTask(deps.config, { title: data.title, body, labels });
  const task = withRun(
    { ...known, status: 'running', branch, attempts: known.attempts + 1 },
    { id: ctx.runId, kind: 'work', at: new Date(started).toISOString() },
  );
  const links = runLinks(deps, intent);
  const startView: TrackingView = {
    headline: `working on it (${intent.command})`,
    details: [
      ['Branch', `\`${branch}\``],
      ['Size', `${plan.level}: ${plan.reason}`],
      ['Runner', `${plan.runner.join(', ')}: ${plan.runnerWhy}`],
    ],
    links,
  };
  const tracking = await writeTracking(
    octokit,
    ctx.repo,
    issue,
    found,
    renderTracking(task, startView),
    task,
    markerKey(deps, issue),
  );
  saveRunState({ issue, trackingId: tracking.id, branch }, deps.config);
  const prior = found?.task ?? null;
  const author = data.user && { login: data.user.login, id: data.user.id, type: data.user.type };
  return {
    issue,
    title: data.title,
    body,
    author,
    prior,
    branch,
    plan,
    task,
    tracking,
    startView,
    links,
    started,
  };
}

/** Workspace, Claude Code, progress edits and checkpoints around one agent run. */
async function agentStage(deps: Deps, intent: Intent, start: TaskStart, isolation: IsolationReport) {
  const { ctx, octokit } = deps;
  const ws = await core.group('Prepare the workspace', () => prepareWorkspace(deps, start.branch));
  const claudePath = await core.group('Set up Claude Code', () => setupClaude(deps));
  const progress = new Progress({
    write: async (section) => {
      // TodoWrite lines and actions are the agent's words: neutralised like any untrusted text.
      const view = { ...start.startView, body: redact(neutraliseAgentText(section)) };
      await writeTracking(
        octokit,
        ctx.repo,
        start.issue,
        start.tracking,
        renderTracking(start.task, view),
        start.task,
        markerKey(deps, start.issue),
      );
    },
    allow: () => sharedReserve().allowOptionalWrite(),
    onError: (error) =>
      core.warning(`Could not update the progress in the tracking comment: ${error.message}`),
  });
  const checkpoints = startCheckpoints(
    deps.config.checkpointMinutes * 60_000,
    checkpointOptions(deps, {
      git: ws.git,
      branch: start.branch,
      issue: start.issue,
      skip: ws.dirtyBefore,
      auth: ws.auth,
    }),
  );
  const life: AgentLife = {
    prior: start.prior,
    issue: { number: start.issue, title: start.title, body: start.body, author: start.author },
    claudePath,
    progress,
    signal: runnerCancellation((line) => core.info(line)),
  };
  const agent = await core
    .group('Run the agent', () => runAgent(deps, intent, ws, start.branch, start.plan, isolation, life))
    .finally(() => Promise.all([checkpoints.stop(), progress.stop()]));
  return { ws, agent };
}

async function publishStage(
  deps: Deps,
  intent: Intent,
  ws: Workspace,
  start: TaskStart,
  agent: AgentResult,
): Promise<PublishResult> {
  if (intent.command === 'plan') return { published: null, needsHuman: false };
  try {
    const published = await core.group('Commit, push and open the pull request', () =>
      publish(deps, ws, start.branch, start.title, agent, start.issue),
    );
    return { published, needsHuman: false };
  } catch (error) {
    annotateFailure(error);
    const needsHuman = isRefusal(error);
    const message =
      error instanceof PullRequestRefused || needsHuman
        ? (error as Error).message
        : `Publishing failed: ${failureMessage(error)}`;
    return { published: null, error: message, needsHuman };
  }
}

/** Pilot refused to publish (the change, the branch, or a tampered `.git`): a human decides. */
function isRefusal(error: unknown): boolean {
  return error instanceof PushRefused || error instanceof BranchRefused || error instanceof RepositoryChanged;
}

function statusAfter(intent: Intent, agent: AgentResult, result: PublishResult): TaskDoc['status'] {
  if (result.error) return result.needsHuman ? 'needs_human' : 'failed';
  if (intent.command === 'plan' && agent.ok) return 'queued';
  return finalStatus(agent, result.published);
}

export async function work(deps: Deps, intent: Intent): Promise<Outcome> {
  const { ctx, octokit } = deps;
  const start = await startTask(deps, intent);
  const isolation: IsolationReport = { layers: [] };
  const { ws, agent } = await agentStage(deps, intent, start, isolation);
  const result = await publishStage(deps, intent, ws, start, agent);
  const { published } = result;
  const task: TaskDoc = {
    ...start.task,
    status: statusAfter(intent, agent, result),
    pr: published?.pr?.number ?? start.task.pr,
    // The head Pilot pushed last: review and CI follow-ups act only on this commit.
    headSha: published?.commit ?? start.task.headSha,
    sessionId: agent.sessionId ?? start.task.sessionId,
    ...agent.session?.fields,
    costUsd: start.task.costUsd + agent.costUsd,
    rev: start.task.rev + 1,
  };
  const view = withIsolation(finalView(deps, intent, agent, published, result.error, start), isolation);
  const sessionNotes = agent.session?.notes ?? [];
  if (sessionNotes.length) view.body = [view.body, ...sessionNotes].filter(Boolean).join('\n\n');
  const tracking = await writeTracking(
    octokit,
    ctx.repo,
    start.issue,
    start.tracking,
    renderTracking(task, view),
    task,
    markerKey(deps, start.issue),
  );
  await writeSummary(`Pilot: #${start.issue} — ${view.headline}`, view.details ?? [], [
    `Tracking comment: ${tracking.url}`,
    ...sessionNotes,
  ]);
  const failed = !agent.ok || result.error !== undefined;
  if (failed) core.error(redact(result.error ?? agent.errorText ?? view.headline));
  const outcome: Outcome = {
    conclusion: failed ? 'failure' : published?.pr || intent.command === 'plan' ? 'success' : 'no_changes',
    taskStatus: task.status,
    prNumber: published?.pr?.number,
    prUrl: published?.pr?.url,
    branch: start.branch,
    costUsd: agent.costUsd,
    turns: agent.numTurns,
    sessionId: agent.sessionId,
  };
  // The repository ledger (spend, outcomes); a ledger problem is a warning, never the run's failure.
  await recordRun(deps, intent, outcome, {
    startedAt: start.started,
    model: start.plan.model,
    runner: start.plan.runner,
  });
  return outcome;
}

/** A branch from the marker counts only when it is this issue's own `pilot/issue-<n>-…` branch. */
function ownBranch(branch: string | undefined, issue: number): string | undefined {
  if (!branch) return undefined;
  if (issueOfBranch(branch) === issue) return branch;
  core.warning(
    `The task names branch ${JSON.stringify(branch)}, which is not #${issue}'s: using the issue's own branch`,
  );
  return undefined;
}

function runLinks(deps: Deps, intent: Intent): Array<[string, string]> {
  const links: Array<[string, string]> = [];
  if (intent.gateRunId) links.push(['gate run', runUrlOf(deps.ctx, intent.gateRunId)]);
  links.push(['work run', deps.ctx.runUrl]);
  return links;
}

function finalView(
  deps: Deps,
  intent: Intent,
  agent: AgentResult,
  published: Published | null,
  publishError: string | undefined,
  start: TaskStart,
): TrackingView {
  const { branch, started, links, plan } = start;
  const details: Array<[string, string]> = [
    ['Outcome', publishError ? 'failed to publish' : agent.ok ? 'success' : agent.stopReason],
    ['Branch', `\`${branch}\``],
    ['Runner', `${plan.runner.join(', ')}: ${plan.runnerWhy}`],
    ['Pull request', published?.pr ? `#${published.pr.number}` : '—'],
    ['Cost', formatUsd(agent.costUsd)],
    ['Turns', String(agent.numTurns)],
    ['Duration', formatDuration(deps.now() - started)],
  ];
  const notes: string[] = [];
  // The failure reason and the plan carry the agent's (or a remote's) words: neutralised before publishing.
  if (publishError) notes.push(neutraliseAgentText(publishError));
  else if (!agent.ok) notes.push(`**Why:** ${neutraliseAgentText(agent.errorText ?? agent.stopReason)}`);
  if (intent.command === 'plan' && agent.ok)
    notes.push(`**Plan**\n\n${neutraliseAgentText(agent.resultText)}`);
  if (agent.permissionDenials.length) {
    notes.push(
      `Permission denied for: ${agent.permissionDenials.map((d) => `\`${d.tool_name}\``).join(', ')}`,
    );
  }
  const ciNote = published?.pr && defaultTokenNote({ tokens: deps.tokens, botLogin: deps.config.botLogin });
  if (ciNote) notes.push(ciNote);
  if (published?.notCommitted.length) {
    notes.push(
      `Files that were already modified before the agent started were not committed: ${published.notCommitted.map((p) => `\`${p}\``).join(', ')}`,
    );
  }
  const headline = publishError
    ? 'could not publish the change'
    : intent.command === 'plan' && agent.ok
      ? 'plan ready'
      : headlineOf(agent, published, branch);
  return { headline, details, body: redact(notes.join('\n\n')), links };
}
