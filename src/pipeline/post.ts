// The post step runs even when the job was cancelled or main crashed. If main did not finish, it
// pushes work in progress and makes the tracking comment tell the truth. Its own errors are warnings.
import * as core from '@actions/core';
import { saveInterrupted } from '../agent/session/index.js';
import { loadConfig } from '../config/load.js';
import { BranchRefused, changedPaths, commitPaths, push } from '../git/branch.js';
import { createGit, type RepoIdentity, RepositoryChanged, tokenEnv } from '../git/git.js';
import { tokenProviderFor } from '../github/app-token.js';
import { createOctokit } from '../github/client.js';
import { findTracking, writeTracking } from '../github/tracking.js';
import { renderTracking } from '../report/comment.js';
import { PushRefused } from '../security/outgoing.js';
import { type ProtectionRules, protectionRules } from '../security/protected-paths.js';
import { redact, registerSecret } from '../security/redact.js';
import { releaseLease } from '../state/lease.js';
import type { TaskDoc } from '../state/task.js';
import { readRunContext } from './context.js';
import { type PostInputs, type RunState, readRunState } from './post-state.js';

interface WipPush {
  state: RunState;
  /** `.git` as main recorded it before lending the workspace (null: main stopped before that). */
  repo: RepoIdentity | null;
  token: string;
  serverUrl: string;
  workspace: string;
  identity: { name: string; email: string };
  rules?: ProtectionRules;
}

async function pushWip(wip: WipPush): Promise<boolean> {
  const { state } = wip;
  // Main may have been killed while the agent had the workspace: the root and `.git` stayed Pilot's,
  // and `.git` must still be the directory main recorded.
  const git = createGit(wip.workspace, { identity: wip.repo ?? undefined });
  const current = (await git.run(['rev-parse', '--abbrev-ref', 'HEAD'], { allowFail: true })).stdout.trim();
  if (current !== state.branch) return false;
  const paths = [...(await changedPaths(git))];
  const commit = await commitPaths(git, paths, `WIP: Pilot run interrupted (#${state.issue})`, wip.identity);
  if (commit)
    await push(git, {
      branch: state.branch,
      issue: state.issue,
      auth: tokenEnv(wip.token, wip.serverUrl),
      rules: wip.rules,
    });
  return commit !== null;
}

function isRefusal(error: unknown): boolean {
  return error instanceof PushRefused || error instanceof BranchRefused || error instanceof RepositoryChanged;
}

/**
 * The marker's session fields: main's save when it got that far, else the post step's own save of
 * the transcripts the agent left (never a claim for a save that did not happen).
 */
async function sessionAfterInterruption(
  inputs: PostInputs,
  credential: string | undefined,
): Promise<Partial<TaskDoc>> {
  const { session, sessionSaved } = inputs;
  if (!session) return {};
  const known = { sessionId: session.sessionId, bodyHash: session.bodyHash };
  if (sessionSaved) return { ...known, sessionHash: sessionSaved.hash };
  const saved = await saveInterrupted(session, credential).catch((error: Error) => ({
    fields: {} as Partial<TaskDoc>,
    note: `The agent session was not saved: ${error.message}`,
  }));
  if (saved.note) core.warning(saved.note);
  else core.info(`Saved the agent session ${session.sessionId} from the post step`);
  return saved.fields.sessionHash ? saved.fields : {};
}

async function recover(inputs: PostInputs & { state: RunState }): Promise<void> {
  const { state } = inputs;
  const config = loadConfig();
  for (const secret of [
    config.githubToken,
    config.anthropicApiKey,
    config.claudeCodeOauthToken,
    config.appPrivateKey,
  ])
    registerSecret(secret);
  const ctx = readRunContext();
  if (!config.githubToken && !config.appId) return;
  const token = await (await tokenProviderFor(config, ctx.repo)).token();
  const identity = { name: config.gitUserName, email: config.gitUserEmail };
  let refused = '';
  const pushed = await pushWip({
    state,
    repo: inputs.repo,
    token,
    serverUrl: ctx.serverUrl,
    workspace: ctx.workspace,
    identity,
    rules: protectionRules(config),
  }).catch((error: Error) => {
    core.warning(`Could not push work in progress: ${error.message}`);
    if (isRefusal(error)) refused = redact(error.message);
    return false;
  });
  const session = await sessionAfterInterruption(
    inputs,
    config.anthropicApiKey ?? config.claudeCodeOauthToken,
  );
  const octokit = createOctokit(token);
  // main saved this state only while holding the issue's lease (src/pipeline/serve.ts): give it back.
  await releaseLease(octokit, ctx.repo, state.issue).catch((error: Error) =>
    core.warning(`Could not release the lease for #${state.issue}: ${error.message}`),
  );
  const tracking = await findTracking(octokit, ctx.repo, state.issue, config.botLogin);
  if (!tracking) return;
  const task = { ...tracking.task, ...session, status: 'cancelled' as const, rev: tracking.task.rev + 1 };
  const where = pushed
    ? `work so far is on branch \`${state.branch}\``
    : refused
      ? 'nothing was pushed'
      : 'no changes had been made yet';
  const view = renderTracking(task, {
    headline: 'cancelled',
    body: [`The run stopped before it finished; ${where}. Comment \`/pilot retry\` to continue.`, refused]
      .filter(Boolean)
      .join('\n\n'),
    links: [['work run', ctx.runUrl]],
  });
  await writeTracking(octokit, ctx.repo, state.issue, tracking, view, task);
}

export async function post(): Promise<void> {
  try {
    const inputs = readRunState();
    const { state, finished } = inputs;
    if (!state || finished) return;
    core.info('Pilot main step did not finish (cancelled or crashed): saving work in progress');
    await recover({ ...inputs, state });
  } catch (error) {
    core.warning(`Pilot post step: ${error instanceof Error ? error.message : String(error)}`);
  }
}
