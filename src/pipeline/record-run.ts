// The pipeline's two calls into the ledger. Both are trusted-run only (the work run and the sweep)
// and neither can fail the run: a ledger problem is a warning, and a record that could not be
// folded stays pending for the next fold.
import * as core from '@actions/core';
import type { IssueIntent } from '../events/intent.js';
import { foldPending } from '../ledger/fold-pending.js';
import { recordPending } from '../ledger/pending.js';
import { type LedgerRecord, runKey } from '../ledger/records.js';
import { failureMessage } from '../report/github-errors.js';
import type { Outcome } from '../report/outputs.js';
import type { Deps } from './deps.js';

/** Spreads the folds of runs that end together (see docs/ledger.md, "Many runs at once"). */
const FOLD_SPREAD_MS = 2000;

export interface RunFacts {
  startedAt: number;
  model?: string;
  runner?: string[];
}

function runRecord(deps: Deps, intent: IssueIntent, outcome: Outcome, facts: RunFacts): LedgerRecord {
  const { ctx } = deps;
  return {
    v: 1,
    kind: 'run',
    key: runKey(ctx.runId, ctx.runAttempt),
    at: new Date(deps.now()).toISOString(),
    issue: intent.issue,
    intent: intent.command,
    outcome: outcome.conclusion,
    costUsd: outcome.costUsd ?? 0,
    // The gateway's counts (outcome.tokens), never the agent's own report.
    tokensIn: outcome.tokens?.input ?? 0,
    tokensOut: outcome.tokens?.output ?? 0,
    tokensCacheRead: outcome.tokens?.cacheRead ?? 0,
    tokensCacheWrite: outcome.tokens?.cacheWrite ?? 0,
    turns: outcome.turns ?? 0,
    durationMs: Math.max(0, deps.now() - facts.startedAt),
    model: facts.model ?? '',
    runner: (facts.runner ?? []).join(','),
    runId: ctx.runId,
    attempt: ctx.runAttempt,
  };
}

/** End of a work run: record it under its own pending ref, then try once to fold what is pending. */
export async function recordRun(
  deps: Deps,
  intent: IssueIntent,
  outcome: Outcome,
  facts: RunFacts,
): Promise<void> {
  const where = { octokit: deps.octokit, repo: deps.ctx.repo };
  try {
    const record = runRecord(deps, intent, outcome, facts);
    await recordPending(where, record);
    const fold = await foldPending(where, { own: record.key, spreadMs: FOLD_SPREAD_MS, maxAttempts: 3 });
    core.info(`Ledger: recorded run ${record.key}${fold.folded ? `; folded ${fold.folded} record(s)` : ''}`);
  } catch (error) {
    core.warning(
      `Ledger: could not record this run (${failureMessage(error)}); the sweep folds what was recorded`,
    );
  }
}

/** The sweep: fold every pending record (also those of runs that ended without folding). */
export async function foldLedger(deps: Deps): Promise<void> {
  try {
    const fold = await foldPending({ octokit: deps.octokit, repo: deps.ctx.repo });
    if (fold.folded || fold.deleted)
      core.info(`Ledger: folded ${fold.folded} pending record(s), removed ${fold.deleted} pending ref(s)`);
  } catch (error) {
    core.warning(`Ledger: could not fold pending records (${failureMessage(error)}); the next fold retries`);
  }
}
