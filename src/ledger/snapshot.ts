// One consistent view of the ledger: the commit the ref points at, its tree and its index. Files
// are read by the blob sha the index names (one request) and, when the index does not name them or
// the sha is unknown, by walking the tree (a fixed number of levels).
import { readBlob, readCommit, refSha, shaAtPath, type Where } from './git-data.js';
import { EMPTY_HEAD, Head, headFromMessage } from './head.js';
import { HEAD_PATH, LEDGER_REF } from './layout.js';

export interface Snapshot {
  /** Undefined while the ledger does not exist yet. */
  commit?: string;
  tree?: string;
  head: Head;
}

export async function readSnapshot(w: Where): Promise<Snapshot> {
  const commit = await refSha(w, LEDGER_REF);
  if (!commit) return { head: EMPTY_HEAD };
  const { tree, message } = await readCommit(w, commit);
  const head = headFromMessage(message) ?? (await headFromTree(w, tree));
  return { commit, tree, head };
}

/** The index from `head.json` when the commit message does not carry it (written by hand?). */
async function headFromTree(w: Where, tree: string): Promise<Head> {
  const sha = await shaAtPath(w, tree, HEAD_PATH);
  const text = sha ? await readBlob(w, sha) : undefined;
  if (!text) return EMPTY_HEAD;
  try {
    const parsed = Head.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : EMPTY_HEAD;
  } catch {
    return EMPTY_HEAD;
  }
}

/** A file's text in the snapshot, or undefined when it does not exist. */
export async function readFile(
  w: Where,
  snap: Snapshot,
  path: string,
  known?: string,
): Promise<string | undefined> {
  if (!snap.tree) return undefined;
  if (known) {
    const text = await readBlob(w, known);
    if (text !== undefined) return text;
  }
  const sha = await shaAtPath(w, snap.tree, path);
  return sha ? readBlob(w, sha) : undefined;
}
