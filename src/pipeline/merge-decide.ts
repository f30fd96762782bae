// Whether Pilot may merge a task's pull request now, and how: a pure function of facts read from
// GitHub, the task's authenticated marker and the ledger, so every rule has a table test
// (test/pipeline/merge-decide.test.ts). GitHub stays the authority: branch protection, required
// reviews and required checks decide; Pilot only ever adds conditions, never removes one. Nothing
// the agent or a PR author wrote (the body, a commit message saying "approved") is an input here.
import { boundEnvironment, type EnvironmentFact } from './merge-environment.js';

/** One check run on the PR's head, as GitHub reports it. */
export interface CheckFact {
  name: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
}

/** Everything the decision needs; src/pipeline/merge.ts gathers it. */
export interface MergeFacts {
  /** From the task's authenticated marker. */
  task: { status: string; headSha?: string; pr?: number };
  pull: {
    number: number;
    state: 'open' | 'closed';
    merged: boolean;
    draft: boolean;
    headSha: string;
    /** GitHub's `mergeable_state`: clean, behind, blocked, dirty, unstable, has_hooks, unknown, draft. */
    mergeableState: string;
  };
  /** The repository allows auto-merge (`allow_auto_merge`). */
  autoMergeAllowed: boolean;
  /** The base branch's required status checks (none configured: `contexts` is empty). */
  required: { strict: boolean; contexts: string[] };
  checks: CheckFact[];
  /** Logins of reviewers with write access whose latest review requests changes. */
  changesRequestedBy: string[];
  /** Who started each unresolved review thread that counts (write access; '' = not known, counts). */
  unresolvedThreadsBy: string[];
  limits: { mergesLastHour: number; maxPerHour: number; breakerTripped?: string };
  /** `.github/pilot.yml` environments that govern this merge (merge-environment.ts); absent = none. */
  environments?: EnvironmentFact[];
}

export type MergeDecision =
  | { action: 'merge' }
  | { action: 'enable-auto' }
  | { action: 'update-branch' }
  | { action: 'merged' }
  | { action: 'wait'; reason: string }
  | { action: 'refuse'; reason: string };

const GREEN = new Set(['success', 'neutral', 'skipped']);

const short = (sha: string | undefined) => (sha ? sha.slice(0, 7) : 'none recorded');

/** Conditions under which Pilot will not merge this PR at all, whatever its checks say. */
function refusal(f: MergeFacts): string | null {
  const { task, pull } = f;
  if (pull.state !== 'open') return `pull request #${pull.number} is closed.`;
  if (task.pr !== pull.number) return `the task does not record pull request #${pull.number}.`;
  if (pull.draft) return `pull request #${pull.number} is a draft; Pilot never merges a draft.`;
  if (task.headSha !== pull.headSha)
    return (
      `the pull request's head ${short(pull.headSha)} is not the commit Pilot pushed last ` +
      `(${short(task.headSha)}); Pilot merges only its own last push. Run \`/pilot fix\` to take the new commits over.`
    );
  return null;
}

const SETTINGS_HINT = 'Settings → Environments';

/** An environment Pilot must not merge under at all: unknown, not `merge`, or approval without reviewers. */
function environmentRefusal(f: MergeFacts): string | null {
  for (const env of f.environments ?? []) {
    if (env.unknown)
      return `the issue's label \`env:${env.name}\` names no environment in .github/pilot.yml; Pilot does not merge under an environment it does not know. Fix the label or add \`${env.name}\` under \`environments:\`.`;
    if (env.autopilot && env.autopilot !== 'merge')
      return `environment \`${env.name}\` sets \`autopilot: ${env.autopilot}\`; Pilot does not merge there.`;
    const bound = boundEnvironment(env.name);
    const p = env.protection;
    if (env.requireApproval && (!p?.exists || p.reviewers === 0))
      return (
        `environment \`${env.name}\` requires approval, but the GitHub Environment \`${bound}\` ` +
        `${p?.exists ? 'has no required reviewers' : 'does not exist'}: a job bound to it would run unapproved, so Pilot does not merge there. ` +
        `Add required reviewers to \`${bound}\` (${SETTINGS_HINT}; private repositories need a plan that offers them).`
      );
  }
  return null;
}

/** An environment whose approval this run does not carry: the merge waits for a human in GitHub. */
function awaitingApproval(f: MergeFacts): string | null {
  const env = (f.environments ?? []).find((e) => e.requireApproval);
  if (!env) return null;
  const where = env.protection?.exists && env.protection.url ? ` (${env.protection.url})` : '';
  return `environment \`${env.name}\` requires approval: the merge waits for a required reviewer of the GitHub Environment \`${boundEnvironment(env.name)}\`${where}; Pilot neither merges nor enables auto-merge before that.`;
}

/** The required checks' state: which failed, which are still to come. */
export function checkState(f: Pick<MergeFacts, 'required' | 'checks'>): {
  failed: string[];
  pending: string[];
} {
  // Without required checks configured, every check reported on the head counts as required.
  const names = f.required.contexts.length ? f.required.contexts : [...new Set(f.checks.map((c) => c.name))];
  const failed: string[] = [];
  const pending: string[] = [];
  for (const name of names) {
    const runs = f.checks.filter((c) => c.name === name);
    if (runs.some((c) => c.status === 'completed' && !GREEN.has(c.conclusion ?? ''))) failed.push(name);
    else if (runs.length === 0 || runs.some((c) => c.status !== 'completed')) pending.push(name);
  }
  return { failed, pending };
}

const list = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');

/** What a merge waits for before it is tried: the limits, reviews and red checks. */
function blocker(f: MergeFacts): string | null {
  const { limits } = f;
  if (limits.breakerTripped) return limits.breakerTripped;
  if (limits.mergesLastHour >= limits.maxPerHour)
    return `Pilot merged ${limits.mergesLastHour} pull requests in the last hour (max-merges-per-hour: ${limits.maxPerHour}); this one waits for the next hour's room.`;
  if (f.changesRequestedBy.length)
    return `changes requested by ${f.changesRequestedBy.map((l) => `@${l}`).join(', ')}.`;
  if (f.unresolvedThreadsBy.length) {
    const who = [...new Set(f.unresolvedThreadsBy)].map((l) => (l ? `@${l}` : 'an unknown reviewer'));
    return `${f.unresolvedThreadsBy.length} unresolved review thread(s) started by ${who.join(', ')}.`;
  }
  const { failed } = checkState(f);
  if (failed.length) return `required check ${list(failed)} failed on ${short(f.pull.headSha)}.`;
  return null;
}

/** The merge itself, once nothing refuses or blocks it. */
function how(f: MergeFacts): MergeDecision {
  const { pull } = f;
  const { pending } = checkState(f);
  if (pull.mergeableState === 'behind' && f.required.strict) return { action: 'update-branch' };
  if (pull.mergeableState === 'dirty')
    return { action: 'wait', reason: `pull request #${pull.number} conflicts with its base branch.` };
  // GitHub refuses auto-merge on a PR with nothing pending ("clean status"): merge that one directly.
  if (f.autoMergeAllowed && pull.mergeableState !== 'clean') return { action: 'enable-auto' };
  if (!f.required.contexts.length && f.checks.length === 0)
    return {
      action: 'wait',
      reason: `no checks have reported on ${short(pull.headSha)}; Pilot merges directly only a tested commit.`,
    };
  if (pending.length)
    return { action: 'wait', reason: `required check ${list(pending)} has not passed yet.` };
  if (pull.mergeableState !== 'clean' && pull.mergeableState !== 'unstable')
    return {
      action: 'wait',
      reason: `GitHub reports the merge as ${pull.mergeableState} (required reviews or conversations not resolved).`,
    };
  return { action: 'merge' };
}

export function decideMerge(f: MergeFacts): MergeDecision {
  if (f.pull.merged) return { action: 'merged' };
  if (f.task.status !== 'pr_open')
    return { action: 'wait', reason: `the task is ${f.task.status}, not waiting to merge.` };
  const refused = refusal(f) ?? environmentRefusal(f);
  if (refused) return { action: 'refuse', reason: refused };
  const blocked = blocker(f) ?? awaitingApproval(f);
  if (blocked) return { action: 'wait', reason: blocked };
  return how(f);
}
