// The post step runs even when the job was cancelled or main crashed. If main did not finish, it
// pushes work in progress and makes the tracking comment tell the truth. Its own errors are warnings.
import * as core from '@actions/core';
import { saveInterrupted } from '../agent/session/index.js';
import { readInputs, secretValues } from '../config/inputs.js';
import { SETTINGS } from '../config/schema.js';
import { messageOf } from '../errors.js';
import { BranchRefused, changedPaths } from '../git/branch.js';
import { createGit, type RepoIdentity, RepositoryChanged, tokenEnv } from '../git/git.js';
import { tokenProviderFor } from '../github/app-token.js';
import { createOctokit } from '../github/client.js';
import { renderTracking } from '../report/comment.js';
import { PushRefused } from '../security/outgoing.js';
import { type ProtectionRules, protectionRules, refusedPaths } from '../security/protected-paths.js';
import { redact, registerSecret } from '../security/redact.js';
import { type StateSeal, stateSeal } from '../security/state-key.js';
import { releaseLease } from '../state/lease.js';
import type { TaskDoc } from '../state/task.js';
import { findTracking, writeTracking } from '../state/tracking.js';
import { commitPaths, push } from './commit-push.js';
import { type RunContext, readRunContext } from './context.js';
import { type MainSettings, type PostInputs, type RunState, readRunState } from './post-state.js';

/** Main's settings; without them (main died before recording any), the strictest defaults. */
function settingsOf(inputs: PostInputs): MainSettings {
  return (
    inputs.settings ?? {
      configPath: SETTINGS.configPath.fallback,
      protectedPaths: [],
      gitUserName: SETTINGS.gitUserName.fallback,
      gitUserEmail: SETTINGS.gitUserEmail.fallback,
      botLogin: SETTINGS.botLogin.fallback,
    }
  );
}

interface WipResult {
  pushed: boolean;
  /** The WIP commit pushed: Pilot's last push from now on. */
  commit?: string;
  /** Protected paths the agent changed, left out of the WIP commit. */
  leftOut: string[];
  /** Why the push was refused (a secret, or a protected path in an earlier local commit). */
  refused?: string;
}

interface WipPush {
  state: RunState;
  /** `.git` as main recorded it before lending the workspace (null: main stopped before that). */
  repo: RepoIdentity | null;
  auth: Record<string, string>;
  workspace: string;
  identity: { name: string; email: string };
  rules: ProtectionRules;
}

function isRefusal(error: unknown): error is Error {
  return error instanceof PushRefused || error instanceof BranchRefused || error instanceof RepositoryChanged;
}

async function pushWip(wip: WipPush): Promise<WipResult> {
  const { state, rules } = wip;
  // Main may have been killed while the agent had the workspace: the root and `.git` stayed Pilot's,
  // and `.git` must still be the directory main recorded.
  const git = createGit(wip.workspace, { identity: wip.repo ?? undefined });
  const current = (await git.run(['rev-parse', '--abbrev-ref', 'HEAD'], { allowFail: true })).stdout.trim();
  if (current !== state.branch) return { pushed: false, leftOut: [] };
  const changed = [...(await changedPaths(git))];
  // Work in progress is worth keeping, the agent's changes to protected paths are not: leave them out.
  const leftOut = refusedPaths(changed, rules);
  const paths = changed.filter((p) => !leftOut.includes(p));
  try {
    const commit = await commitPaths(
      git,
      paths,
      `WIP: Pilot run interrupted (#${state.issue})`,
      wip.identity,
    );
    if (!commit) return { pushed: false, leftOut };
    await push(git, { branch: state.branch, issue: state.issue, auth: wip.auth, rules });
    return { pushed: true, commit, leftOut };
  } catch (error) {
    if (isRefusal(error)) return { pushed: false, leftOut, refused: redact(error.message) };
    throw error;
  }
}

/** What the cancelled comment says about the work in progress. */
function wipSentence(state: RunState, wip: WipResult): string {
  const where = wip.pushed
    ? `work so far is on branch \`${state.branch}\``
    : 'no work in progress was pushed';
  const parts = [`The run stopped before it finished; ${where}. Comment \`/pilot retry\` to continue.`];
  if (wip.leftOut.length)
    parts.push(
      `Left out of the work-in-progress push: the agent changed protected paths ${wip.leftOut.map((p) => `\`${p}\``).join(', ')} (protected by this repository's configuration on the default branch, whatever the working tree said).`,
    );
  if (wip.refused) parts.push(wip.refused);
  return parts.join('\n\n');
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
  if (saved.fields.sessionHash) core.info(`Saved the agent session ${session.sessionId} from the post step`);
  return saved.fields.sessionHash ? saved.fields : {};
}

/** Secrets come from the action's inputs only: the file cannot hold them, and the working tree is the agent's. */
function secretsOf() {
  const { values } = readInputs();
  for (const secret of secretValues(values)) registerSecret(secret);
  return values;
}

async function recover(inputs: PostInputs & { state: RunState }): Promise<void> {
  const { state } = inputs;
  const settings = settingsOf(inputs);
  const secrets = secretsOf();
  const ctx = readRunContext();
  const appId = secrets.appId ?? settings.appId;
  if (!secrets.githubToken && !appId) return;
  const config = { ...secrets, appId, protectedPaths: settings.protectedPaths };
  const token = await (await tokenProviderFor(config, ctx.repo)).token();
  const identity = { name: settings.gitUserName, email: settings.gitUserEmail };
  const rules = protectionRules(settings);
  const wip = await pushWip({
    state,
    repo: inputs.repo,
    auth: tokenEnv(token, ctx.serverUrl),
    workspace: ctx.workspace,
    identity,
    rules,
  }).catch((error: Error): WipResult => {
    core.warning(`Could not push work in progress: ${error.message}`);
    return { pushed: false, leftOut: [] };
  });
  if (wip.leftOut.length || wip.refused) core.warning(wipSentence(state, wip));
  const session = await sessionAfterInterruption(
    inputs,
    // The same key main sealed the session with (work-agent.ts): the state key on Bedrock and Vertex.
    secrets.anthropicApiKey ?? secrets.claudeCodeOauthToken ?? secrets.pilotStateKey,
  );
  const octokit = createOctokit(token);
  // main saved this state only while holding the issue's lease (src/pipeline/serve.ts): give it back,
  // if it is still this run's (a re-run attempt may have taken it over).
  if (inputs.lease)
    await releaseLease(octokit, ctx.repo, state.issue, inputs.lease, ctx.runId).catch((error: Error) =>
      core.warning(`Could not release the lease for #${state.issue}: ${error.message}`),
    );
  const seal = stateSeal(
    { current: secrets.pilotStateKey, previous: secrets.pilotStateKeyPrevious },
    ctx.repository,
  );
  await markCancelled({ octokit, ctx, seal, botLogin: settings.botLogin }, state, session, wip);
}

/** The tracking comment tells the truth: cancelled, with the WIP commit (if any) as Pilot's last push. */
async function markCancelled(
  env: { octokit: ReturnType<typeof createOctokit>; ctx: RunContext; seal: StateSeal; botLogin: string },
  state: RunState,
  session: Partial<TaskDoc>,
  wip: WipResult,
): Promise<void> {
  const { octokit, ctx } = env;
  const key = { seal: env.seal, issue: state.issue };
  const tracking = await findTracking(octokit, ctx.repo, state.issue, env.botLogin, key);
  if (!tracking) return;
  const task = {
    ...tracking.task,
    ...session,
    // The WIP commit is now Pilot's last push: follow-ups act only on it.
    ...(wip.commit && { headSha: wip.commit }),
    status: 'cancelled' as const,
    rev: tracking.task.rev + 1,
  };
  const view = renderTracking(task, {
    headline: 'cancelled',
    body: wipSentence(state, wip),
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
    core.warning(`Pilot post step: ${messageOf(error)}`);
  }
}
