// The post step runs even when the job was cancelled or main crashed. If main did not finish, it
// pushes work in progress and makes the tracking comment tell the truth. Its own errors are warnings.
import * as core from '@actions/core';
import { gitSafeDirectoryEnv } from '../agent/isolation/index.js';
import { saveInterrupted } from '../agent/session/index.js';
import { loadConfig } from '../config/load.js';
import { changedPaths, commitPaths, push } from '../git/branch.js';
import { createGit, tokenEnv } from '../git/git.js';
import { tokenProviderFor } from '../github/app-token.js';
import { createOctokit } from '../github/client.js';
import { findTracking, writeTracking } from '../github/tracking.js';
import { renderTracking } from '../report/comment.js';
import { type ProtectionRules, protectionRules } from '../security/protected-paths.js';
import { registerSecret } from '../security/redact.js';
import { type StateSeal, stateSeal } from '../security/state-key.js';
import { releaseLease } from '../state/lease.js';
import type { TaskDoc } from '../state/task.js';
import { type RunContext, readRunContext } from './context.js';
import { type PostInputs, type RunState, readRunState } from './post-state.js';

async function pushWip(
  state: RunState,
  token: string,
  serverUrl: string,
  workspace: string,
  identity: { name: string; email: string },
  rules?: ProtectionRules,
) {
  // Main may have been killed while the workspace was lent to the agent's user: git would call it dubious.
  const git = createGit(workspace, { ...process.env, ...gitSafeDirectoryEnv(workspace) });
  const current = (await git.run(['rev-parse', '--abbrev-ref', 'HEAD'], { allowFail: true })).stdout.trim();
  if (current !== state.branch) return null;
  const paths = [...(await changedPaths(git))];
  const commit = await commitPaths(git, paths, `WIP: Pilot run interrupted (#${state.issue})`, identity);
  if (commit) await push(git, state.branch, tokenEnv(token, serverUrl), rules);
  return commit;
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
    config.pilotStateKey,
    config.pilotStateKeyPrevious,
  ])
    registerSecret(secret);
  const ctx = readRunContext();
  if (!config.githubToken && !config.appId) return;
  const token = await (await tokenProviderFor(config, ctx.repo)).token();
  const identity = { name: config.gitUserName, email: config.gitUserEmail };
  const pushed = await pushWip(
    state,
    token,
    ctx.serverUrl,
    ctx.workspace,
    identity,
    protectionRules(config),
  ).catch((error: Error) => {
    core.warning(`Could not push work in progress: ${error.message}`);
    return null;
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
  const seal = stateSeal(
    { current: config.pilotStateKey, previous: config.pilotStateKeyPrevious },
    ctx.repository,
  );
  await markCancelled({ octokit, ctx, seal, botLogin: config.botLogin }, state, session, pushed);
}

/** The tracking comment tells the truth: cancelled, with the WIP commit (if any) as Pilot's last push. */
async function markCancelled(
  env: { octokit: ReturnType<typeof createOctokit>; ctx: RunContext; seal: StateSeal; botLogin: string },
  state: RunState,
  session: Partial<TaskDoc>,
  pushed: string | null,
): Promise<void> {
  const { octokit, ctx } = env;
  const key = { seal: env.seal, issue: state.issue };
  const tracking = await findTracking(octokit, ctx.repo, state.issue, env.botLogin, key);
  if (!tracking) return;
  const task = {
    ...tracking.task,
    ...session,
    // The WIP commit is now Pilot's last push: follow-ups act only on it.
    ...(pushed && { headSha: pushed }),
    status: 'cancelled' as const,
    rev: tracking.task.rev + 1,
  };
  const where = pushed ? `work so far is on branch \`${state.branch}\`` : 'no changes had been made yet';
  const view = renderTracking(task, {
    headline: 'cancelled',
    body: `The run stopped before it finished; ${where}. Comment \`/pilot retry\` to continue.`,
    links: [['work run', ctx.runUrl]],
  });
  await writeTracking(octokit, ctx.repo, state.issue, tracking, view, task, key);
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
