// The emulator's git object store: blobs, trees and commits held in memory per repository and
// addressed exactly as git addresses them (sha1 over "<type> <size>\0<body>"), so a sha a client
// computes for its own content matches the one the emulator (and GitHub) answers.
import { createHash } from 'node:crypto';

export interface TreeEntry {
  name: string;
  mode: string;
  type: 'blob' | 'tree';
  sha: string;
}

export interface Signature {
  name: string;
  email: string;
  date: string;
}

export type GitObject =
  | { type: 'blob'; sha: string; content: Buffer }
  | { type: 'tree'; sha: string; entries: TreeEntry[] }
  | { type: 'commit'; sha: string; tree: string; parents: string[]; message: string; author: Signature };

function hashObject(type: string, body: Buffer): string {
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]))
    .digest('hex');
}

/** Git orders tree entries by name, comparing a subtree's name as if it ended in "/". */
function sortKey(e: TreeEntry): string {
  return e.type === 'tree' ? `${e.name}/` : e.name;
}

function treeBody(entries: TreeEntry[]): Buffer {
  return Buffer.concat(
    entries.flatMap((e) => [
      Buffer.from(`${e.type === 'tree' ? '40000' : e.mode} ${e.name}\0`),
      Buffer.from(e.sha, 'hex'),
    ]),
  );
}

function seconds(date: string): number {
  return Math.floor(new Date(date).getTime() / 1000);
}

export class GitObjects {
  private readonly objects = new Map<string, GitObject>();

  get(sha: string): GitObject | undefined {
    return this.objects.get(sha);
  }

  putBlob(content: Buffer): string {
    const sha = hashObject('blob', content);
    this.objects.set(sha, { type: 'blob', sha, content });
    return sha;
  }

  putTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
    const sha = hashObject('tree', treeBody(sorted));
    this.objects.set(sha, { type: 'tree', sha, entries: sorted });
    return sha;
  }

  putCommit(init: { tree: string; parents: string[]; message: string; author: Signature }): string {
    const who = (s: Signature) => `${s.name} <${s.email}> ${seconds(s.date)} +0000`;
    const text = [
      `tree ${init.tree}`,
      ...init.parents.map((p) => `parent ${p}`),
      `author ${who(init.author)}`,
      `committer ${who(init.author)}`,
      '',
      init.message,
    ].join('\n');
    const sha = hashObject('commit', Buffer.from(text));
    this.objects.set(sha, { type: 'commit', sha, ...init });
    return sha;
  }

  /** True when `descendant` is `ancestor` or has it in its history (the fast-forward test). */
  descends(descendant: string, ancestor: string): boolean {
    const seen = new Set<string>();
    const todo = [descendant];
    while (todo.length > 0) {
      const sha = todo.pop() as string;
      if (sha === ancestor) return true;
      if (seen.has(sha)) continue;
      seen.add(sha);
      const obj = this.objects.get(sha);
      if (obj?.type === 'commit') todo.push(...obj.parents);
    }
    return false;
  }

  /**
   * A new tree: `base` with each path set to an entry (or removed when null), creating and
   * rewriting only the subtrees on those paths — untouched subtrees keep their sha, as on GitHub.
   */
  editTree(base: string | undefined, edits: Array<{ path: string[]; entry: TreeEntry | null }>): string {
    const baseObj = base ? this.objects.get(base) : undefined;
    const entries = new Map(
      (baseObj?.type === 'tree' ? baseObj.entries : []).map((e) => [e.name, e] as const),
    );
    const byHead = new Map<string, Array<{ path: string[]; entry: TreeEntry | null }>>();
    for (const edit of edits) {
      const [head, ...rest] = edit.path;
      if (rest.length === 0) {
        if (edit.entry) entries.set(head, { ...edit.entry, name: head });
        else entries.delete(head);
        continue;
      }
      byHead.set(head, [...(byHead.get(head) ?? []), { path: rest, entry: edit.entry }]);
    }
    for (const [head, sub] of byHead) {
      const existing = entries.get(head);
      const sha = this.editTree(existing?.type === 'tree' ? existing.sha : undefined, sub);
      const tree = this.objects.get(sha);
      if (tree?.type === 'tree' && tree.entries.length === 0) entries.delete(head);
      else entries.set(head, { name: head, mode: '040000', type: 'tree', sha });
    }
    return this.putTree([...entries.values()]);
  }

  /** Every blob and tree under a tree, with full paths (for `recursive=1`). */
  walk(tree: string, prefix = ''): Array<TreeEntry & { path: string }> {
    const obj = this.objects.get(tree);
    if (obj?.type !== 'tree') return [];
    return obj.entries.flatMap((e) => {
      const path = `${prefix}${e.name}`;
      const self = { ...e, path };
      return e.type === 'tree' ? [self, ...this.walk(e.sha, `${path}/`)] : [self];
    });
  }
}
