// Compare-and-swap appends: write the tree and commit on the head just read, then move the ref
// only by fast-forward (`PATCH … force: false`). GitHub answers 422 "Update is not a fast forward"
// when another writer moved it first; the loser re-reads and tries again after a random wait, a
// bounded number of times. The first append creates the ref (`POST /git/refs`, 422 if it exists).

import { type FoldPlan, planFold } from './fold.js';
import { createRef, fastForward, refSha, type Where, writeCommit, writeTree } from './git-data.js';
import { commitMessage } from './head.js';
import { DEFAULT_LIMITS, LEDGER_REF, type Limits } from './layout.js';
import type { LedgerRecord } from './records.js';
import { readSnapshot } from './snapshot.js';

export interface AppendOptions {
  limits?: Limits;
  /** ISO time of the append (decides the segment's month). */
  now?: () => string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries before giving up on a busy ledger. */
  maxAttempts?: number;
  /** Upper bound of the first random wait; doubles with each retry. */
  retryDelayMs?: number;
}

export interface AppendResult extends Omit<FoldPlan, 'files' | 'head'> {
  /** The ledger commit written, undefined when nothing new was left to add. */
  commit?: string;
  attempts: number;
}

export class LedgerBusy extends Error {}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function jitter(opts: AppendOptions, attempt: number): number {
  const base = opts.retryDelayMs ?? 1000;
  return Math.floor((opts.random ?? Math.random)() * base * 2 ** attempt);
}

/** One try: `won` is false when another writer moved the ledger between our read and our update. */
export async function appendOnce(
  w: Where,
  records: LedgerRecord[],
  opts: AppendOptions = {},
): Promise<{ won: boolean; result: Omit<AppendResult, 'attempts'> }> {
  const snap = await readSnapshot(w);
  const now = (opts.now ?? (() => new Date().toISOString()))();
  const plan = await planFold(w, snap, records, opts.limits ?? DEFAULT_LIMITS, now);
  const { added, duplicates, problems } = plan;
  if (added.length === 0) return { won: true, result: { added, duplicates, problems } };
  // Planning took a few reads: if the ledger moved meanwhile, lose now instead of writing a tree
  // and a commit GitHub would refuse (writes are the scarce budget, reads are not).
  if ((await refSha(w, LEDGER_REF)) !== snap.commit)
    return { won: false, result: { added, duplicates, problems } };
  const tree = await writeTree(w, snap.tree, plan.files);
  const commit = await writeCommit(
    w,
    tree,
    snap.commit ? [snap.commit] : [],
    commitMessage(added.length, plan.head),
  );
  const won = snap.commit ? await fastForward(w, LEDGER_REF, commit) : await createRef(w, LEDGER_REF, commit);
  return { won, result: { commit: won ? commit : undefined, added, duplicates, problems } };
}

/** Appends records (a record whose key is already in the ledger is not added again). */
export async function appendRecords(
  w: Where,
  records: LedgerRecord[],
  opts: AppendOptions = {},
): Promise<AppendResult> {
  const max = opts.maxAttempts ?? 5;
  for (let attempt = 0; attempt < max; attempt++) {
    const { won, result } = await appendOnce(w, records, opts);
    if (won) return { ...result, attempts: attempt + 1 };
    await (opts.sleep ?? realSleep)(jitter(opts, attempt));
  }
  throw new LedgerBusy(`the ledger kept moving: gave up after ${max} attempts`);
}
