// The learnings a work run's prompt carries (src/prompt/memory.ts ranks them), and the hits they earn.
// Memory is help, never a reason to fail: a ledger that cannot be read means a prompt without it.
import * as core from '@actions/core';
import { readMemory } from '../ledger/memory.js';
import { recordPending } from '../ledger/pending.js';
import { runKey } from '../ledger/records.js';
import { memorySection, pathsNamed, selectLearnings } from '../prompt/memory.js';
import { failureMessage } from '../report/github-errors.js';
import type { Deps } from './deps.js';

export interface UsedMemory {
  /** Ids of the learnings the prompt carries, for the PR body and the job summary. */
  ids: string[];
  /** The prompt's memory section (empty when none). */
  section: string[];
}

export const NO_MEMORY: UsedMemory = { ids: [], section: [] };

/**
 * The learnings for a task: ranked by overlap with the paths the issue names and those the task's
 * branch already touched (a follow-up), then hits and recency, within `memory-tokens`.
 */
export async function memoryFor(deps: Deps, issueText: string, touched: string[]): Promise<UsedMemory> {
  if (deps.config.memoryTokens === 0) return NO_MEMORY;
  try {
    const memory = await readMemory({ octokit: deps.octokit, repo: deps.ctx.repo }, deps.seal);
    if (memory.forged) core.warning(`Memory: ignored ${memory.forged} entries Pilot did not seal`);
    const paths = [...new Set([...pathsNamed(issueText), ...touched])];
    const chosen = selectLearnings(memory.learnings, paths, deps.config.memoryTokens);
    if (chosen.length)
      core.info(`Memory: the prompt carries ${chosen.length} of ${memory.learnings.length} learning(s)`);
    return { ids: chosen.map((l) => l.id), section: memorySection(chosen) };
  } catch (error) {
    core.warning(`Memory: could not read the learnings (${failureMessage(error)}); the prompt goes without`);
    return NO_MEMORY;
  }
}

/** One pending record per run: the next fold (this run's own, or the sweep's) adds one hit to each. */
export async function recordHits(deps: Deps, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const { ctx } = deps;
  try {
    await recordPending(
      { octokit: deps.octokit, repo: deps.ctx.repo },
      {
        v: 1,
        kind: 'learning-hits',
        key: `hits-${runKey(ctx.runId, ctx.runAttempt)}`,
        at: new Date(deps.now()).toISOString(),
        ids: ids.slice(0, 50),
      },
    );
  } catch (error) {
    core.warning(`Memory: could not record which learnings were used (${failureMessage(error)})`);
  }
}
