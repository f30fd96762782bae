// The ledger against the GitHub emulator's Git Data routes with the real Octokit.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commitMessage, headFromMessage } from '../../src/ledger/head.js';
import {
  appendRecords,
  foldPending,
  LEDGER_REF,
  listPending,
  readRecent,
  readTotals,
  recordPending,
  type Where,
} from '../../src/ledger/index.js';
import { blobSha } from '../../src/ledger/layout.js';
import { PeriodTotals } from '../../src/ledger/totals.js';
import type { GitHubEmulator } from '../world/github/index.js';
import { gitWrites, ledgerWorld, repo, runRecord } from './world.js';

let gh: GitHubEmulator;
let where: () => Where;
const quick = { retryDelayMs: 5, now: () => '2026-12-03T12:00:00.000Z' };

beforeEach(async () => {
  ({ gh, where } = await ledgerWorld());
});
afterEach(async () => {
  await gh.close();
});

async function treePaths(w: Where): Promise<string[]> {
  const { data: ref } = await w.octokit.rest.git.getRef({ ...repo, ref: 'pilot/ledger' });
  const { data: commit } = await w.octokit.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha });
  const { data } = await w.octokit.rest.git.getTree({ ...repo, tree_sha: commit.tree.sha, recursive: '1' });
  return data.tree.filter((e) => e.type === 'blob').map((e) => e.path as string);
}

function reindexed(message: string, segment: string): string {
  const index = headFromMessage(message);
  if (!index?.segment) throw new Error('no index');
  return commitMessage(1, { ...index, segment: { ...index.segment, sha: blobSha(segment) } });
}

describe('ledger', () => {
  it('appends records and keeps day and month totals that add up', async () => {
    const w = where();
    await appendRecords(w, [runRecord(1), runRecord(2, { outcome: 'failure', costUsd: 0.5 })], quick);
    await appendRecords(w, [runRecord(3, { at: '2026-12-04T01:00:00.000Z', outcome: 'failure' })], quick);
    const day = (await readTotals(w, '2026-12-03')).totals;
    expect(day.runs).toEqual({ total: 2, byOutcome: { success: 1, failure: 1 } });
    expect(day.costUsd).toBe(0.75);
    const month = (await readTotals(w, '2026-12')).totals;
    expect(month.runs.total).toBe(3);
    expect(month.costUsd).toBe(1);
    expect(month.tokensIn).toBe(3000);
    expect(month.failuresInRow).toBe(2);
    expect((await readTotals(w, '2026-11')).totals.records).toBe(0);
    // Today's totals cost three requests (ref, commit with the index, blob), however long the history.
    const before = gh.requests().length;
    await readTotals(w, '2026-12-04');
    expect(
      gh
        .requests()
        .slice(before)
        .map((r) => `${r.method} ${r.path.split('/git/')[1]?.split('/')[0]}`),
    ).toEqual(['GET ref', 'GET commits', 'GET blobs']);
    const recent = await readRecent(w, 10);
    expect(recent.records.map((r) => r.key)).toEqual(['3-1', '2-1', '1-1']);
    expect(await treePaths(w)).toEqual([
      'head.json',
      'segments/2026-12/0001.jsonl',
      'totals/all.json',
      'totals/day/2026-12/03.json',
      'totals/day/2026-12/04.json',
      'totals/month/2026-12.json',
    ]);
  });

  it('keeps all-time totals across months, with cache tokens and duration buckets, read in three requests', async () => {
    const w = where();
    const cache = { tokensCacheRead: 500, tokensCacheWrite: 40 };
    await appendRecords(
      w,
      [runRecord(1, { at: '2026-11-30T23:00:00.000Z', durationMs: 45_000, ...cache })],
      quick,
    );
    await appendRecords(w, [runRecord(2, { durationMs: 400_000, outcome: 'failure', ...cache })], quick);
    // Folded again: the all-time totals never count a key twice either.
    await appendRecords(w, [runRecord(2, { durationMs: 400_000, outcome: 'failure', ...cache })], quick);
    const before = gh.requests().length;
    const all = (await readTotals(w, 'all')).totals;
    expect(gh.requests().length - before).toBe(3);
    expect(all.period).toBe('all');
    expect(all.runs).toEqual({ total: 2, byOutcome: { success: 1, failure: 1 } });
    expect([all.tokensIn, all.tokensOut, all.tokensCacheRead, all.tokensCacheWrite]).toEqual([
      2000, 400, 1000, 80,
    ]);
    expect(all.durationMs).toBe(445_000);
    // 45 s falls in the 60 s bucket (index 1), 400 s in the 600 s one (index 4).
    expect(all.durationBuckets).toEqual([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect((await readTotals(w, '2026-11')).totals.runs.total).toBe(1);
  });

  it('reads totals written before cache tokens and duration buckets were counted, as zeros', () => {
    const old = {
      v: 1,
      period: '2026-11',
      records: 1,
      costUsd: 0.5,
      tokensIn: 10,
      tokensOut: 2,
      turns: 1,
      durationMs: 1000,
      runs: { total: 1, byOutcome: { success: 1 } },
      merges: 0,
      budgetEvents: {},
      failuresInRow: 0,
      maxFailuresInRow: 0,
    };
    expect(PeriodTotals.parse(old)).toMatchObject({
      tokensCacheRead: 0,
      tokensCacheWrite: 0,
      durationBuckets: [],
    });
  });

  it('rolls to a new segment at the record bound and keeps reading across segments', async () => {
    const w = where();
    const limits = { segmentRecords: 3, segmentBytes: 1 << 20, recentSegments: 8 };
    for (let i = 1; i <= 7; i++) await appendRecords(w, [runRecord(i)], { ...quick, limits });
    const paths = (await treePaths(w)).filter((p) => p.startsWith('segments/'));
    expect(paths).toEqual([
      'segments/2026-12/0001.jsonl',
      'segments/2026-12/0002.jsonl',
      'segments/2026-12/0003.jsonl',
    ]);
    const recent = await readRecent(w, 5);
    expect(recent.records.map((r) => r.key)).toEqual(['7-1', '6-1', '5-1', '4-1', '3-1']);
    expect((await readTotals(w, '2026-12')).totals.runs.total).toBe(7);
  });

  it('re-reads and retries when another writer moved the ledger (422 not a fast forward)', async () => {
    const a = where();
    await appendRecords(a, [runRecord(1)], quick);
    let raced = false;
    a.octokit.hook.before('request', async (options) => {
      if (raced || options.method !== 'PATCH') return;
      raced = true; // another run appends between our read and our update
      await appendRecords(where(), [runRecord(2)], quick);
    });
    const result = await appendRecords(a, [runRecord(3)], quick);
    expect(result.attempts).toBe(2);
    const refused = gitWrites(gh).filter((r) => r.method === 'PATCH' && r.status === 422);
    expect(refused).toHaveLength(1);
    const keys = (await readRecent(a, 10)).records.map((r) => r.key).sort();
    expect(keys).toEqual(['1-1', '2-1', '3-1']);
    expect((await readTotals(a, '2026-12-03')).totals.runs.total).toBe(3);
  });

  it('never counts a key twice when the same records are folded again', async () => {
    const w = where();
    await appendRecords(w, [runRecord(1), runRecord(2)], quick);
    const again = await appendRecords(w, [runRecord(2), runRecord(1), runRecord(3)], quick);
    expect(again.added.map((r) => r.key)).toEqual(['3-1']);
    expect(again.duplicates.sort()).toEqual(['1-1', '2-1']);
    const nothingNew = await appendRecords(w, [runRecord(3)], quick);
    expect(nothingNew.commit).toBeUndefined();
    expect((await readTotals(w, '2026-12-03')).totals.runs.total).toBe(3);
    expect((await readRecent(w, 10)).records).toHaveLength(3);
  });

  it('skips and reports a corrupt line instead of failing', async () => {
    const w = where();
    await appendRecords(w, [runRecord(1)], quick);
    // Someone edits the segment by hand: a broken line and a record of an unknown version.
    const { data: ref } = await w.octokit.rest.git.getRef({ ...repo, ref: 'pilot/ledger' });
    const { data: head } = await w.octokit.rest.git.getCommit({ ...repo, commit_sha: ref.object.sha });
    const good = JSON.stringify(runRecord(1));
    const content = `${good}\n{"v":1,"kind":"run",\n${JSON.stringify({ ...runRecord(2), v: 9 })}\n`;
    const { data: tree } = await w.octokit.rest.git.createTree({
      ...repo,
      base_tree: head.tree.sha,
      tree: [{ path: 'segments/2026-12/0001.jsonl', mode: '100644', type: 'blob', content }],
    });
    const { data: commit } = await w.octokit.rest.git.createCommit({
      ...repo,
      tree: tree.sha,
      parents: [head.sha],
      // The edit keeps the index in step, as a well-behaved writer would.
      message: reindexed(head.message, content),
    });
    await w.octokit.rest.git.updateRef({ ...repo, ref: 'pilot/ledger', sha: commit.sha });
    const recent = await readRecent(w, 10);
    expect(recent.records.map((r) => r.key)).toEqual(['1-1']);
    expect(recent.problems.map((p) => p.where)).toEqual([
      'segments/2026-12/0001.jsonl:2',
      'segments/2026-12/0001.jsonl:3',
    ]);
    // Appending still works on top of it.
    await appendRecords(w, [runRecord(4)], quick);
    expect((await readRecent(w, 10)).records.map((r) => r.key)).toEqual(['4-1', '1-1']);
  });

  it('folds pending refs into the ledger and deletes them; a record pending again is not counted twice', async () => {
    const w = where();
    for (const id of [1, 2, 3]) expect(await recordPending(w, runRecord(id))).toBe('recorded');
    expect(await recordPending(w, runRecord(3))).toBe('already');
    const folded = await foldPending(w, quick);
    expect(folded).toMatchObject({ folded: 3, deleted: 3, duplicates: 0 });
    expect(await listPending(w)).toEqual([]);
    expect(Object.keys(gh.refs(repo.owner, repo.repo))).toContain(LEDGER_REF);
    // A retry after a lost response records run 2 again: the next fold drops it and cleans up.
    await recordPending(w, runRecord(2));
    const refold = await foldPending(w, quick);
    expect(refold).toMatchObject({ folded: 0, duplicates: 1, deleted: 1 });
    expect(await listPending(w)).toEqual([]);
    expect((await readTotals(w, '2026-12-03')).totals.runs.total).toBe(3);
  });

  it('leaves a folder whose own record was already folded without writing', async () => {
    const w = where();
    await recordPending(w, runRecord(1));
    await foldPending(w, quick);
    const before = gitWrites(gh).length;
    const result = await foldPending(w, { ...quick, own: '1-1' });
    expect(result.folded).toBe(0);
    expect(gitWrites(gh).length).toBe(before);
  });
});
