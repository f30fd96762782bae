// A fold: records → the files one ledger commit writes. It reads the totals of the periods the
// records fall in, drops records whose key that day already holds (idempotency), appends the rest
// to the current segment and adds them to the totals. What it reads and writes is bounded by the
// batch, never by the history.
import type { Where } from './git-data.js';
import type { Head } from './head.js';
import { ALL_TIME, blobSha, HEAD_PATH, type Limits, periodOf, totalsPath } from './layout.js';
import { applyMemory, isMemoryRecord, loadMemory, MEMORY_PATH } from './memory.js';
import type { LedgerRecord, Problem } from './records.js';
import { appendLines } from './segments.js';
import { readFile, type Snapshot } from './snapshot.js';
import { addToTotals, emptyTotals, nextStreak, PeriodTotals } from './totals.js';

export interface FoldPlan {
  files: Map<string, string>;
  head: Head;
  added: LedgerRecord[];
  /** Keys already in the ledger (or twice in the batch): not counted again. */
  duplicates: string[];
  problems: Problem[];
}

/** Reads one period's totals; a corrupt document is reported and started again from zero. */
export async function loadTotals(
  w: Where,
  snap: Snapshot,
  period: string,
  problems: Problem[],
): Promise<PeriodTotals> {
  const path = totalsPath(period);
  const text = await readFile(w, snap, path, snap.head.totals[path]);
  if (text === undefined) return emptyTotals(period);
  try {
    const parsed = PeriodTotals.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    problems.push({ where: path, message: parsed.error.issues.map((i) => i.message).join('; ') });
  } catch {
    problems.push({ where: path, message: 'not JSON' });
  }
  return emptyTotals(period);
}

async function loadPeriods(w: Where, snap: Snapshot, records: LedgerRecord[], problems: Problem[]) {
  const totals = new Map<string, PeriodTotals>();
  const periods = new Set(records.flatMap((r) => [periodOf(r.at, 'day'), periodOf(r.at, 'month')]));
  if (records.length) periods.add(ALL_TIME);
  for (const period of [...periods].sort()) totals.set(period, await loadTotals(w, snap, period, problems));
  return totals;
}

export async function planFold(
  w: Where,
  snap: Snapshot,
  batch: LedgerRecord[],
  limits: Limits,
  now: string,
): Promise<FoldPlan> {
  const problems: Problem[] = [];
  const records = [...batch].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const totals = await loadPeriods(w, snap, records, problems);
  const added: LedgerRecord[] = [];
  const duplicates: string[] = [];
  let streak = snap.head.failuresInRow;
  for (const record of records) {
    const day = totals.get(periodOf(record.at, 'day')) as PeriodTotals;
    const month = totals.get(periodOf(record.at, 'month')) as PeriodTotals;
    if (day.keys?.includes(record.key) || month.budgetKeys?.includes(record.key)) {
      duplicates.push(record.key);
      continue;
    }
    streak = nextStreak(streak, record);
    addToTotals(day, record, streak);
    addToTotals(month, record, streak);
    addToTotals(totals.get(ALL_TIME) as PeriodTotals, record, streak);
    added.push(record);
  }
  const files = new Map<string, string>();
  if (added.length === 0) return { files, head: snap.head, added, duplicates, problems };
  const current = snap.head.segment
    ? ((await readFile(w, snap, snap.head.segment.path, snap.head.segment.sha)) ?? '')
    : '';
  const lines = added.map((r) => JSON.stringify(r));
  const seg = appendLines(snap.head, current, lines, periodOf(now, 'month'), limits);
  for (const [path, text] of seg.files) files.set(path, text);
  await foldMemory(w, snap, added, files, problems);
  const index: Record<string, string> = {};
  for (const t of totals.values()) {
    const text = `${JSON.stringify(t, null, 1)}\n`;
    files.set(totalsPath(t.period), text);
    index[totalsPath(t.period)] = blobSha(text);
  }
  const head: Head = {
    v: 1,
    records: snap.head.records + added.length,
    segment: seg.segment,
    recent: seg.recent,
    totals: newestTotals({ ...snap.head.totals, ...index }),
    failuresInRow: streak,
  };
  files.set(HEAD_PATH, `${JSON.stringify(head, null, 1)}\n`);
  return { files, head, added, duplicates, problems };
}

/** Learnings, tombstones and hits also update `memory.json` (src/ledger/memory.ts). */
async function foldMemory(
  w: Where,
  snap: Snapshot,
  added: LedgerRecord[],
  files: Map<string, string>,
  problems: Problem[],
): Promise<void> {
  const memory = added.filter(isMemoryRecord);
  if (memory.length === 0) return;
  const doc = applyMemory(await loadMemory(w, snap, problems), memory);
  files.set(MEMORY_PATH, `${JSON.stringify(doc, null, 1)}\n`);
}

/** Keeps the index small: the all-time totals, and the newest two days and two months it knows. */
function newestTotals(all: Record<string, string>): Record<string, string> {
  const paths = Object.keys(all).sort().reverse();
  const keep = [
    ...paths.filter((p) => p === totalsPath(ALL_TIME)),
    ...paths.filter((p) => p.startsWith('totals/day/')).slice(0, 2),
    ...paths.filter((p) => p.startsWith('totals/month/')).slice(0, 2),
  ];
  return Object.fromEntries(keep.map((p) => [p, all[p]]));
}
