// The work run's middle step: the workspace, Claude Code, and one isolated agent run with its progress
// edits and checkpoints.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import * as core from '@actions/core';
import { type AgentResult, agentDeadline, runnerCancellation } from '../agent/claude.js';
import { installClaude } from '../agent/install/index.js';
import { isolatedRunOptions, runIsolated } from '../agent/isolation/index.js';
import { Progress } from '../agent/progress.js';
import { type SessionOptions, type SessionOutcome, sessionRunner } from '../agent/session/index.js';
import { ToolErrors } from '../agent/tool-errors.js';
import { changedPaths, checkoutTaskBranch } from '../git/branch.js';
import { scrubCredentials } from '../git/credentials.js';
import { createGit, type Git, tokenEnv } from '../git/git.js';
import { sharedReserve } from '../github/reserve.js';
import { buildPrompt, buildSystemPrompt, type Earlier } from '../prompt/build.js';
import { renderTracking } from '../report/comment.js';
import type { QualityReport } from '../report/gate-words.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';
import type { TaskDoc } from '../state/task.js';
import { writeTracking } from '../state/tracking.js';
import { checkpointOptions, startCheckpoints } from './checkpoint.js';
import type { CiFix } from './ci-fix.js';
import { type Deps, markerKey } from './deps.js';
import { distillLesson, lessonSource } from './memory-lessons.js';
import { memoryFor } from './memory-prompt.js';
import { markSessionSaved, saveRepoIdentity, saveSessionState } from './post-state.js';
import { afterAgent, type GatePlan, planGates } from './quality.js';
import { reviewPrompt } from './review-fix.js';
import { readThread } from './thread.js';
import { triggerTimeOf } from './trigger-time.js';
import type { WorkTask } from './work-start.js';

export interface Workspace {
  git: Git;
  auth: Record<string, string>;
  base: string;
  dirtyBefore: Set<string>;
  /** What the quality gates wrote (not the agent): left out of the commit. */
  gateLeftovers: Set<string>;
}

/** The agent's result, its session, the last tool errors it saw (for `/pilot retry`), its gates. */
export type AgentRun = AgentResult & {
  session?: SessionOutcome;
  toolErrors?: string[];
  quality?: QualityReport;
};

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
  return { git, auth, base, dirtyBefore: await changedPaths(git), gateLeftovers: new Set() };
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

/** What the agent's run needs besides the task: its binary, progress and cancellation. */
interface AgentLife {
  claudePath: string;
  /** Chosen before the agent starts (quality.ts): the agent cannot change which gates run. */
  gates: GatePlan;
  progress: Progress;
  signal: AbortSignal;
}

async function runAgent(task: WorkTask, ws: Workspace, life: AgentLife): Promise<AgentRun> {
  const { deps, intent, start } = task;
  const triggerTime = await triggerTimeOf({ octokit: deps.octokit, repo: deps.ctx.repo }, intent, deps.now());
  const thread = await readThread(deps, start.issue, triggerTime);
  const nonce = randomBytes(8).toString('hex');
  const { config, ctx } = deps;
  const deadline = agentDeadline(deps.now(), start.plan.timeoutMinutes);
  const systemPrompt = buildSystemPrompt(nonce, await readClaudeMd(ws));
  // Gateway, separate user, Pilot's settings, env allowlist: see src/agent/isolation/.
  // The model the CLI is given below, so the gateway refuses any other.
  const model = start.plan.model || undefined;
  const options = isolatedRunOptions(
    { ...config, model, claudePath: life.claudePath },
    ctx,
    task.isolation,
    (line) => core.info(redact(line)),
  );
  const session = sessionRunner(sessionOptions(task));
  const memory = await memoryFor(deps, `${start.issue.title}\n${start.issue.body}`, await touchedPaths(ws));
  task.memory = memory;
  const toolErrors = new ToolErrors();
  const quality = newQuality(deps, life.gates, intent.command);
  let usedModel: string | undefined;
  const checks = { deps, ws, plan: life.gates, issue: start.issue, nonce, deadline };
  const result = await runIsolated(options, async (launch) => {
    const run = await session.run(
      {
        ...launch,
        cwd: ctx.workspace,
        prompt: taskPrompt(task, thread, nonce, memory.section),
        systemPrompt,
        maxTurns: start.plan.maxTurns,
        maxCostUsd: config.maxCostUsd,
        model,
        allowedTools: allowedTools(deps, intent.command),
        deadline,
        onAction: (action) => core.info(`agent: ${redact(action)}`),
        onEvent: (event) => {
          if (event.type === 'init') usedModel = event.line.model;
          toolErrors.onEvent(event);
          life.progress.onEvent(event);
        },
        signal: life.signal,
      },
      quality &&
        ((first, resume) =>
          afterAgent(
            { ...checks, launch, maxTurns: start.plan.maxTurns, model: () => usedModel ?? model },
            first,
            resume,
            quality,
          )),
    );
    // Inside the isolation: the distilling call goes through this run's gateway and is metered with it.
    task.lesson = await proposeLesson(task, launch.env, run);
    return run;
  });
  return { ...result, session: session.outcome(), toolErrors: toolErrors.last(), quality };
}

function taskPrompt(
  task: WorkTask,
  thread: Awaited<ReturnType<typeof readThread>>,
  nonce: string,
  memory: string[] | undefined,
): string {
  const { intent, start } = task;
  return buildPrompt({
    issue: thread.number,
    title: thread.title,
    body: thread.body,
    comments: thread.comments,
    command: intent.command,
    args: intent.args,
    branch: start.branch,
    nonce,
    maxChars: 100_000,
    earlier: earlierOf(intent.command, start.prior, task.ci),
    extra: task.review && reviewPrompt(task.review, nonce),
    memory,
  });
}

/**
 * A report to fill when this run has gates or a self-review (plans have neither); then the gates and
 * the review run inside the isolation, after the agent and before its session is saved.
 */
function newQuality(deps: Deps, plan: GatePlan, command: string): QualityReport | undefined {
  if (command === 'plan') return undefined;
  if (!plan.gates.length && !plan.said && !deps.config.selfReview) return undefined;
  return { runs: [], said: plan.said, maxRounds: deps.config.maxGateRounds, failing: [], fixRounds: 0 };
}

/** After a review round or CI fix that worked: a lesson to propose (src/pipeline/memory-lessons.ts). */
async function proposeLesson(task: WorkTask, env: Record<string, string>, run: AgentResult) {
  const source = lessonSource(task.intent);
  if (!source || !run.ok || task.deps.config.memoryTokens === 0) return undefined;
  const at = new Date(task.deps.now()).toISOString();
  return (
    (await distillLesson(env, { source, asked: task.intent.args, summary: run.resultText, at })) ?? undefined
  );
}

/** Paths the task's branch already changed (a follow-up's learnings rank by them); none on a new branch. */
async function touchedPaths(ws: Workspace): Promise<string[]> {
  const diff = await ws.git.run(['diff', '--name-only', `refs/remotes/origin/${ws.base}...HEAD`], {
    allowFail: true,
  });
  return diff.code === 0 ? diff.stdout.split('\n').filter(Boolean).slice(0, 200) : [];
}

/** What an earlier run left for this one: the plan for `/pilot run`, the failure for `/pilot retry`, CI's log. */
function earlierOf(command: string, prior: TaskDoc | null, ci?: CiFix): Earlier | undefined {
  if (ci) return { ci: { runUrl: ci.runUrl, jobs: ci.excerpts } };
  if (command === 'run' && prior?.plan) return { plan: prior.plan };
  if (command === 'retry' && prior?.failure) return { failure: prior.failure };
  return undefined;
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
function sessionOptions(task: WorkTask): Omit<SessionOptions, 'configDir'> {
  const { deps, intent, start } = task;
  const { config, ctx } = deps;
  const repository = (ctx.payload as { repository?: { id?: number } }).repository;
  return {
    workDir: path.join(ctx.runnerTemp, 'pilot-session'),
    runId: ctx.runId,
    attempt: ctx.runAttempt,
    issue: intent.issue,
    command: intent.command,
    issueBody: start.issue.body,
    prior: start.prior,
    // On Bedrock and Vertex there is no Anthropic secret: the state key (a secret too) seals the session.
    credential: config.anthropicApiKey ?? config.claudeCodeOauthToken ?? config.pilotStateKey,
    repositoryId: String(repository?.id ?? ctx.repository),
    // If the run is killed before it saves the session, the post step saves it (post.ts).
    onOpened: saveSessionState,
    onSaved: markSessionSaved,
  };
}

/** The tracking comment's progress section, edited as the agent works (throttled, best effort). */
function progressOf(task: WorkTask): Progress {
  const { deps, start } = task;
  const { number: issue } = start.issue;
  return new Progress({
    write: async (section) => {
      // TodoWrite lines and actions are the agent's words: neutralised like any untrusted text.
      const view = { ...start.startView, body: redact(neutraliseAgentText(section)) };
      const body = renderTracking(start.task, view);
      await writeTracking(
        deps.octokit,
        deps.ctx.repo,
        issue,
        start.tracking,
        body,
        start.task,
        markerKey(deps, issue),
      );
    },
    allow: () => sharedReserve().allowOptionalWrite(),
    onError: (error) =>
      core.warning(`Could not update the progress in the tracking comment: ${error.message}`),
  });
}

/** Workspace, Claude Code, progress edits and checkpoints around one agent run. */
export async function agentStage(task: WorkTask): Promise<{ ws: Workspace; agent: AgentRun }> {
  const { deps, start } = task;
  const ws = await core.group('Prepare the workspace', () => prepareWorkspace(deps, start.branch));
  const claudePath = await core.group('Set up Claude Code', () => setupClaude(deps));
  const progress = progressOf(task);
  const checkpoints = startCheckpoints(
    deps.config.checkpointMinutes * 60_000,
    checkpointOptions(deps, {
      git: ws.git,
      branch: start.branch,
      issue: start.issue.number,
      skip: ws.dirtyBefore,
      auth: ws.auth,
    }),
  );
  const gates = task.intent.command === 'plan' ? { gates: [] } : await planGates(deps, ws);
  const signal = runnerCancellation((line) => core.info(line));
  const life: AgentLife = { claudePath, gates, progress, signal };
  const agent = await core
    .group('Run the agent', () => runAgent(task, ws, life))
    .finally(() => Promise.all([checkpoints.stop(), progress.stop()]));
  return { ws, agent };
}
