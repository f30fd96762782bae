// The work run's last step: commit and push what the agent changed, open or update the pull request,
// and turn a refusal into words for the tracking comment.
import * as core from '@actions/core';
import { messageOf } from '../errors.js';
import { BranchRefused, changedPaths } from '../git/branch.js';
import { RepositoryChanged, tokenEnv } from '../git/git.js';
import { PullRequestRefused, upsertPull } from '../github/pulls.js';
import { annotateFailure } from '../report/annotations.js';
import { failureMessage } from '../report/github-errors.js';
import {
  type AgentFacts,
  commitMessage,
  gatesFailing,
  type Published,
  type PublishResult,
  pullBody,
} from '../report/work-words.js';
import { PushRefused } from '../security/outgoing.js';
import { protectionRules } from '../security/protected-paths.js';
import { redact } from '../security/redact.js';
import { commitPaths, push } from './commit-push.js';
import type { Workspace } from './work-agent.js';
import type { WorkTask } from './work-start.js';

async function publish(task: WorkTask, ws: Workspace, agent: AgentFacts): Promise<Published> {
  const { deps, start } = task;
  const { branch } = start;
  const { number: issue, title } = start.issue;
  const after = await changedPaths(ws.git);
  // Files the quality gates wrote (caches, reports) are theirs, not the agent's change.
  const kept = (p: string) => ws.dirtyBefore.has(p) || ws.gateLeftovers.has(p);
  const agentPaths = [...after].filter((p) => !kept(p));
  const notCommitted = [...after].filter((p) => ws.dirtyBefore.has(p));
  if (ws.gateLeftovers.size)
    core.info(
      redact(`Not committed (written by quality gates): ${[...ws.gateLeftovers].slice(0, 50).join(', ')}`),
    );
  const identity = { name: deps.config.gitUserName, email: deps.config.gitUserEmail };
  const commit = await commitPaths(ws.git, agentPaths, commitMessage(agent, title, issue), identity);
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
      body: redact(pullBody(issue, agent, task.memory?.ids)),
      // Required gates still failing: a draft, so nobody merges it by mistake; a human decides.
      draft: deps.config.draftPr || gatesFailing(agent).length > 0,
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

/** Publishes the agent's work (nothing for a plan); a failure becomes the result's error, never a throw. */
export async function publishStage(task: WorkTask, ws: Workspace, agent: AgentFacts): Promise<PublishResult> {
  if (task.intent.command === 'plan') return { published: null, needsHuman: false };
  try {
    const published = await core.group('Commit, push and open the pull request', () =>
      publish(task, ws, agent),
    );
    return { published, needsHuman: false };
  } catch (error) {
    annotateFailure(error);
    const needsHuman = isRefusal(error);
    const message =
      error instanceof PullRequestRefused || needsHuman
        ? messageOf(error)
        : `Publishing failed: ${failureMessage(error)}`;
    return { published: null, error: message, needsHuman };
  }
}

/** Pilot refused to publish (the change, the branch, or a tampered `.git`): a human decides. */
function isRefusal(error: unknown): boolean {
  return error instanceof PushRefused || error instanceof BranchRefused || error instanceof RepositoryChanged;
}
