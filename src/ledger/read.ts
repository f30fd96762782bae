// Reading the ledger: the totals of a period (a budget check, a dashboard) and the newest records.
// Both cost a fixed number of requests whatever the history's length: the ref, the commit (whose
// message carries the index) and the blobs needed.
import * as core from '@actions/core';
import { loadTotals } from './fold.js';
import type { Where } from './git-data.js';
import { periodKind } from './layout.js';
import { type LedgerRecord, type Problem, parseLines } from './records.js';
import { readFile, readSnapshot } from './snapshot.js';
import type { PeriodTotals } from './totals.js';

function report(problems: Problem[]): void {
  for (const p of problems) core.warning(`Ledger: skipped a corrupt entry at ${p.where}: ${p.message}`);
}

/** Totals of a UTC day (`2026-12-03`) or month (`2026-12`); zeros when nothing was recorded. */
export async function readTotals(
  w: Where,
  period: string,
): Promise<{ totals: PeriodTotals; problems: Problem[] }> {
  periodKind(period);
  const problems: Problem[] = [];
  const snap = await readSnapshot(w);
  const totals = await loadTotals(w, snap, period, problems);
  report(problems);
  return { totals, problems };
}

/** Up to `n` of the newest records, newest first (from the current and recent segments). */
export async function readRecent(
  w: Where,
  n: number,
): Promise<{ records: LedgerRecord[]; problems: Problem[] }> {
  const snap = await readSnapshot(w);
  const records: LedgerRecord[] = [];
  const problems: Problem[] = [];
  const segments = [snap.head.segment, ...snap.head.recent].filter((s) => s !== null);
  for (const seg of segments) {
    if (records.length >= n) break;
    const text = (await readFile(w, snap, seg.path, seg.sha)) ?? '';
    const parsed = parseLines(text, seg.path);
    problems.push(...parsed.problems);
    records.push(...parsed.records.reverse());
  }
  report(problems);
  return { records: records.slice(0, n), problems };
}
