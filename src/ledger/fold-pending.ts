// Folding pending records into the ledger. Many runs finishing at once must not become a storm of
// retries against GitHub's ~80 writes a minute: each folder waits a random moment first, folds
// every pending record it sees in one commit, and a folder whose own record another folder already
// took stops without writing. A ref is deleted only once its key is in the ledger.
import { type AppendOptions, appendOnce, jitter, LedgerBusy, realSleep } from './append.js';
import type { Where } from './git-data.js';
import { pendingRef } from './layout.js';
import { deletePending, listPending, type PendingRecord, readPending } from './pending.js';
import type { Problem } from './records.js';

export interface FoldOptions extends AppendOptions {
  /** This run's key: stop as soon as its pending ref is gone (someone folded it). */
  own?: string;
  /** Upper bound of the random wait before the first try (spreads runs that end together). */
  spreadMs?: number;
  /** Pending records folded per commit. */
  batch?: number;
}

export interface FoldResult {
  folded: number;
  duplicates: number;
  /** Pending refs deleted after their keys reached the ledger. */
  deleted: number;
  attempts: number;
  problems: Problem[];
  commit?: string;
}

export async function foldPending(w: Where, opts: FoldOptions = {}): Promise<FoldResult> {
  const sleep = opts.sleep ?? realSleep;
  const problems: Problem[] = [];
  const cache = new Map<string, PendingRecord[]>();
  if (opts.spreadMs) await sleep(Math.floor((opts.random ?? Math.random)() * opts.spreadMs));
  const max = opts.maxAttempts ?? 5;
  for (let attempt = 0; attempt < max; attempt++) {
    const refs = (await listPending(w)).slice(0, opts.batch ?? 100);
    const nothing = { folded: 0, duplicates: 0, deleted: 0, attempts: attempt + 1, problems };
    if (refs.length === 0 || (opts.own && !refs.some((r) => r.ref === pendingRef(opts.own as string))))
      return nothing;
    const fresh = refs.filter((r) => !cache.has(`${r.ref}@${r.sha}`));
    for (const r of fresh) cache.set(`${r.ref}@${r.sha}`, []); // a corrupt one is reported once
    for (const p of await readPending(w, fresh, problems)) {
      const sha = fresh.find((r) => r.ref === p.ref)?.sha;
      cache.set(`${p.ref}@${sha}`, [p]);
    }
    const pending = refs.flatMap((r) => cache.get(`${r.ref}@${r.sha}`) ?? []);
    const { won, result } = await appendOnce(
      w,
      pending.map((p) => p.record),
      opts,
    );
    problems.push(...result.problems);
    if (won) {
      // A run's fold deletes only what it added: refs of duplicates are some other folder's to
      // delete (it is about to), and racing it would double the deletes. The sweep deletes both.
      const done = new Set([...result.added.map((r) => r.key), ...(opts.own ? [] : result.duplicates)]);
      const refsDone = pending.filter((p) => done.has(p.record.key)).map((p) => p.ref);
      await deletePending(w, refsDone);
      return {
        ...nothing,
        folded: result.added.length,
        duplicates: result.duplicates.length,
        deleted: refsDone.length,
        commit: result.commit,
      };
    }
    await sleep(jitter(opts, attempt));
  }
  throw new LedgerBusy(
    `the ledger kept moving: pending records left for the next fold after ${max} attempts`,
  );
}
