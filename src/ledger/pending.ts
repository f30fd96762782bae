// Contention-free recording: each run writes its record under its own create-only ref
// `refs/pilot/ledger-pending/<key>` (a parentless commit whose message is the record and whose tree
// is the ledger's tree at the time). `POST /git/refs` is atomic: 422 means this key was recorded already,
// so a retry after a lost response records nothing twice. A later fold moves pending records into
// the ledger and deletes their refs.
import {
  createRef,
  deleteRef,
  listRefs,
  readCommit,
  refSha,
  type Where,
  writeCommit,
  writeTree,
} from './git-data.js';
import { LEDGER_REF, PENDING_PREFIX, pendingRef } from './layout.js';
import { LedgerRecord, type Problem, parseRecord } from './records.js';

/**
 * 'recorded', or 'already' when a pending ref with this key exists (this record, an earlier try).
 * Two writes: the commit reuses the ledger's current tree (any tree the repository has will do:
 * the record is the message), and only before the very first fold does it need a tree of its own.
 */
export async function recordPending(w: Where, record: LedgerRecord): Promise<'recorded' | 'already'> {
  // Validated before it is written: a record no reader could parse would stay pending forever.
  const line = JSON.stringify(LedgerRecord.parse(record));
  const ledger = await refSha(w, LEDGER_REF);
  const tree = ledger
    ? (await readCommit(w, ledger)).tree
    : await writeTree(w, undefined, new Map([['record.json', `${line}\n`]]));
  const commit = await writeCommit(w, tree, [], line);
  return (await createRef(w, pendingRef(record.key), commit)) ? 'recorded' : 'already';
}

export interface PendingRecord {
  ref: string;
  record: LedgerRecord;
}

export async function listPending(w: Where): Promise<Array<{ ref: string; sha: string }>> {
  return listRefs(w, PENDING_PREFIX);
}

/** Reads pending records (one request each); a corrupt one is skipped and reported. */
export async function readPending(
  w: Where,
  refs: Array<{ ref: string; sha: string }>,
  problems: Problem[],
): Promise<PendingRecord[]> {
  const out: PendingRecord[] = [];
  for (const { ref, sha } of refs) {
    const { message } = await readCommit(w, sha);
    const parsed = parseRecord(message.trim());
    if (!parsed.ok) problems.push({ where: ref, message: parsed.message });
    else if (pendingRef(parsed.record.key) !== ref)
      problems.push({ where: ref, message: `holds key ${parsed.record.key}, not its own` });
    else out.push({ ref, record: parsed.record });
  }
  return out;
}

export async function deletePending(w: Where, refs: string[]): Promise<void> {
  for (const ref of refs) await deleteRef(w, ref);
}
