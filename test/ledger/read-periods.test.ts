// Many periods read from one snapshot: the same numbers as reading each alone, at a cost set by the
// number of periods and never by the history.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendRecords, lastDays, readPeriods, readTotals, type Where } from '../../src/ledger/index.js';
import type { GitHubEmulator } from '../world/github/index.js';
import { ledgerWorld, repo, runRecord } from './world.js';

let gh: GitHubEmulator;
let where: () => Where;
const quick = { retryDelayMs: 5, now: () => '2026-12-03T12:00:00.000Z' };

beforeEach(async () => {
  ({ gh, where } = await ledgerWorld());
});
afterEach(async () => {
  await gh.close();
});

function dayAt(offset: number): string {
  return new Date(Date.parse('2026-12-03T10:00:00.000Z') - offset * 86_400_000).toISOString();
}

/** One run a day for `days` days back from 2026-12-03 (every third one failed), in folds of 10. */
async function history(w: Where, days: number, firstId = 1): Promise<void> {
  const records = Array.from({ length: days }, (_, i) =>
    runRecord(firstId + i, { at: dayAt(i), outcome: i % 3 === 0 ? 'failure' : 'success', costUsd: 0.1 * i }),
  );
  for (let i = 0; i < records.length; i += 10) await appendRecords(w, records.slice(i, i + 10), quick);
}

function requestsDuring(g: GitHubEmulator, before: number): number {
  return g.requests().length - before;
}

describe('readPeriods', () => {
  it('lists the last 30 UTC days oldest first, across a month boundary', () => {
    const days = lastDays('2026-12-03T23:59:00.000Z', 30);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe('2026-11-04');
    expect(days.at(-1)).toBe('2026-12-03');
  });

  it('gives each day and month the same totals as reading it alone', async () => {
    const w = where();
    await history(w, 35);
    const periods = [...lastDays('2026-12-03T12:00:00.000Z', 30), '2026-12', '2026-11'];
    const { totals, problems } = await readPeriods(w, periods);
    expect(problems).toEqual([]);
    for (const [i, period] of periods.entries()) {
      expect(totals[i]).toEqual((await readTotals(w, period)).totals);
    }
    expect(totals[29].runs.byOutcome).toEqual({ failure: 1 }); // 2026-12-03 is offset 0
    expect(totals[30].runs.total).toBe(3);
  });

  it('costs the same number of requests with 40 days of history as with 400', async () => {
    const periods = [...lastDays('2026-12-03T12:00:00.000Z', 30), '2026-12'];
    const small = where();
    await history(small, 40);
    let before = gh.requests().length;
    await readPeriods(small, periods);
    const few = requestsDuring(gh, before);

    await gh.close();
    ({ gh, where } = await ledgerWorld());
    const large = where();
    await history(large, 400);
    before = gh.requests().length;
    await readPeriods(large, periods);
    expect(requestsDuring(gh, before)).toBe(few);
    // ref + commit + root, totals/ and totals/day/ trees, two month directories, month tree, ≤ 31 blobs
    expect(few).toBeLessThanOrEqual(2 + 3 + 2 + 1 + 31);
  });

  it('reports a corrupt totals document and counts that day as zero', async () => {
    const w = where();
    await history(w, 3);
    const { data: ref } = await w.octokit.rest.git.getRef({ ...repo, ref: 'pilot/ledger' });
    const { data: head } = await w.octokit.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha });
    const { data: tree } = await w.octokit.rest.git.createTree({
      ...repo,
      base_tree: head.tree.sha,
      tree: [{ path: 'totals/day/2026-12/01.json', mode: '100644', type: 'blob', content: '{"v":1,' }],
    });
    // A hand edit of an older day (the index names only the newest two days' blobs: 01 is walked to).
    const { data: commit } = await w.octokit.rest.git.createCommit({
      ...repo,
      tree: tree.sha,
      parents: [ref.object.sha],
      message: 'edited by hand',
    });
    await w.octokit.rest.git.updateRef({ ...repo, ref: 'pilot/ledger', sha: commit.sha });
    const { totals, problems } = await readPeriods(w, ['2026-12-01', '2026-12-03']);
    expect(problems).toEqual([{ where: 'totals/day/2026-12/01.json', message: 'not JSON' }]);
    expect(totals[0].runs.total).toBe(0);
    expect(totals[1].runs.total).toBe(1);
  });

  it('refuses a period that is neither a day nor a month', async () => {
    await expect(readPeriods(where(), ['2026-12-3'])).rejects.toThrow('neither a day');
  });
});
