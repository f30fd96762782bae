// Reading the totals of many periods at once (a dashboard's 30 days and this month) from ONE
// snapshot. Each directory listing is fetched once and shared, so the cost grows with the number of
// periods asked for (one blob each, one tree per month directory), never with the ledger's history.
import * as core from '@actions/core';
import { readBlob, type Where } from './git-data.js';
import { periodKind, totalsPath } from './layout.js';
import type { Problem } from './records.js';
import { readSnapshot, type Snapshot } from './snapshot.js';
import { emptyTotals, PeriodTotals } from './totals.js';

type Entries = Array<{ path?: string; sha?: string; type?: string }>;

/** Resolves paths under one root tree, fetching each directory's listing at most once. */
function treeWalker(w: Where, root: string) {
  const listings = new Map<string, Promise<Entries>>();
  const list = (sha: string): Promise<Entries> => {
    let listing = listings.get(sha);
    if (!listing) {
      listing = w.octokit.rest.git.getTree({ ...w.repo, tree_sha: sha }).then((r) => r.data.tree);
      listings.set(sha, listing);
    }
    return listing;
  };
  return async (path: string): Promise<string | undefined> => {
    let current = root;
    const parts = path.split('/');
    for (const [i, name] of parts.entries()) {
      const entry = (await list(current)).find((e) => e.path === name);
      if (!entry?.sha) return undefined;
      if (i === parts.length - 1) return entry.type === 'blob' ? entry.sha : undefined;
      if (entry.type !== 'tree') return undefined;
      current = entry.sha;
    }
    return undefined;
  };
}

function parseTotals(text: string, period: string, path: string, problems: Problem[]): PeriodTotals {
  try {
    const parsed = PeriodTotals.safeParse(JSON.parse(text));
    if (parsed.success && parsed.data.period === period) return parsed.data;
    problems.push({
      where: path,
      message: parsed.success
        ? `holds ${parsed.data.period}`
        : (parsed.error.issues[0]?.message ?? 'invalid'),
    });
  } catch {
    problems.push({ where: path, message: 'not JSON' });
  }
  return emptyTotals(period);
}

async function loadOne(
  w: Where,
  snap: Snapshot,
  find: ((path: string) => Promise<string | undefined>) | undefined,
  period: string,
  problems: Problem[],
): Promise<PeriodTotals> {
  const path = totalsPath(period);
  const known = snap.head.totals[path];
  let text = known ? await readBlob(w, known) : undefined;
  if (text === undefined && find) {
    const sha = await find(path);
    text = sha ? await readBlob(w, sha) : undefined;
  }
  return text === undefined ? emptyTotals(period) : parseTotals(text, period, path, problems);
}

/**
 * Totals of each period (UTC days `2026-12-03` and/or months `2026-12`), in the order asked, zeros
 * where nothing was recorded. A corrupt document is reported and counts as zeros.
 */
export async function readPeriods(
  w: Where,
  periods: string[],
): Promise<{ totals: PeriodTotals[]; problems: Problem[] }> {
  for (const p of periods) periodKind(p);
  const snap = await readSnapshot(w);
  const problems: Problem[] = [];
  const find = snap.tree ? treeWalker(w, snap.tree) : undefined;
  const totals: PeriodTotals[] = [];
  for (const period of periods) totals.push(await loadOne(w, snap, find, period, problems));
  for (const p of problems) core.warning(`Ledger: skipped a corrupt entry at ${p.where}: ${p.message}`);
  return { totals, problems };
}

/** The `count` UTC days ending with the day of `now` (ISO), oldest first. */
export function lastDays(now: string, count: number): string[] {
  const end = Date.parse(`${now.slice(0, 10)}T00:00:00.000Z`);
  return Array.from({ length: count }, (_, i) =>
    new Date(end - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
