// Issue 17's first "must show": 20 work runs finishing at once all reach the ledger. Each run (its
// own Octokit, as separate jobs have) records itself under its own pending ref and then tries to
// fold; the emulator serves the real Git Data routes and refuses non-fast-forward updates with
// 422. Then the sweep folds whatever is left. Exactly 20 records, totals that add up, no pending
// ref left, and the GitHub writes it took are counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  foldPending,
  listPending,
  readRecent,
  readTotals,
  recordPending,
  type Where,
} from '../../src/ledger/index.js';
import type { GitHubEmulator } from '../world/github/index.js';
import { gitWrites, ledgerWorld, runRecord } from './world.js';

let gh: GitHubEmulator;
let where: () => Where;

beforeAll(async () => {
  ({ gh, where } = await ledgerWorld());
});
afterAll(async () => {
  await gh.close();
});

/** What a work run does at its end: record, then one opportunistic fold that may lose the race. */
const retried: number[] = [];

async function finishRun(runId: number, spreadMs: number): Promise<void> {
  const w = where();
  const record = runRecord(runId, {
    outcome: runId % 4 === 0 ? 'failure' : 'success',
    costUsd: runId / 100,
    at: `2026-12-03T10:00:${String(runId % 60).padStart(2, '0')}.000Z`,
  });
  await recordPending(w, record);
  await foldPending(w, { own: record.key, spreadMs, maxAttempts: 3, retryDelayMs: 20 }).catch(
    () => undefined,
  );
}

/** 20 runs end together, then the sweep folds what is left; returns the writes it all took. */
async function twentyAtOnce(first: number, spreadMs: number) {
  const before = gitWrites(gh).length;
  const ids = Array.from({ length: 20 }, (_, i) => first + i);
  await Promise.all(ids.map((id) => finishRun(id, spreadMs)));
  await foldPending(where(), { retryDelayMs: 20 }); // the sweep
  const w = where();
  expect(await listPending(w)).toEqual([]);
  const { records } = await readRecent(w, 100);
  const keys = records.map((r) => r.key).filter((k) => ids.includes(Number(k.split('-')[0])));
  expect(keys.sort()).toEqual(ids.map((id) => `${id}-1`).sort());
  return gitWrites(gh).slice(before);
}

describe('20 work runs finishing at once', () => {
  it('all reach the ledger when every fold contends (422s refused, nothing lost or counted twice)', async () => {
    const writes = await twentyAtOnce(101, 0);
    const refused = writes.filter((r) => r.path.endsWith('/git/refs') || r.method === 'PATCH');
    // The race happened: folders lost it (a 422 on the ref, or a ref that moved under them) and
    // re-read, or left their record to the sweep; nothing was lost either way.
    expect(retried.length + refused.filter((r) => r.status === 422).length).toBeGreaterThan(0);
    const day = (await readTotals(where(), '2026-12-03')).totals;
    const cost = Array.from({ length: 20 }, (_, i) => (101 + i) / 100).reduce((a, b) => a + b, 0);
    expect(day.runs.total).toBe(20);
    expect(day.runs.byOutcome).toEqual({ success: 15, failure: 5 });
    expect(day.costUsd).toBeCloseTo(cost, 6);
    expect(day.keys).toHaveLength(20);
    expect((await readTotals(where(), '2026-12')).totals.costUsd).toBeCloseTo(cost, 6);
    console.log(
      `20 runs at once, no spread: ${writes.length} GitHub writes (${retried.length} folders re-read after losing the race)`,
    );
  });

  it('costs about four writes a run when the folds are spread over 2 s', async () => {
    const writes = await twentyAtOnce(201, 2000);
    expect((await readTotals(where(), '2026-12-03')).totals.runs.total).toBe(40);
    console.log(`20 runs at once, 2 s spread: ${writes.length} GitHub writes`);
    // Recording costs 2 writes a run (commit, ref), deleting the pending ref 1, and each fold 3
    // (tree, commit, ref) whatever it folds: 20 runs must not need a fold each.
    expect(writes.length).toBeLessThan(20 * 3 + 3 * 14);
  });
});
