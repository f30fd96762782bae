// The Git Data API calls the ledger makes, and nothing else: refs, commits, trees and blobs.
import { type Octokit, type Repo, statusOf } from '../github/client.js';
import { restRef } from './layout.js';

export interface Where {
  octokit: Octokit;
  repo: Repo;
}

/** The sha a ref points at, or undefined when it does not exist. */
export async function refSha(w: Where, ref: string): Promise<string | undefined> {
  try {
    const { data } = await w.octokit.rest.git.getRef({ ...w.repo, ref: restRef(ref) });
    return data.object.sha;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

export async function readCommit(w: Where, sha: string): Promise<{ tree: string; message: string }> {
  const { data } = await w.octokit.rest.git.getCommit({ ...w.repo, commit_sha: sha });
  return { tree: data.tree.sha, message: data.message };
}

/** A blob's text, or undefined when there is no blob with that sha. */
export async function readBlob(w: Where, sha: string): Promise<string | undefined> {
  try {
    const { data } = await w.octokit.rest.git.getBlob({ ...w.repo, file_sha: sha });
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** The blob sha at `path` under a tree, one `GET /git/trees` per directory level. */
export async function shaAtPath(w: Where, tree: string, path: string): Promise<string | undefined> {
  let current = tree;
  const parts = path.split('/');
  for (const [i, name] of parts.entries()) {
    const { data } = await w.octokit.rest.git.getTree({ ...w.repo, tree_sha: current });
    const entry = data.tree.find((e) => e.path === name);
    if (!entry?.sha) return undefined;
    if (i === parts.length - 1) return entry.type === 'blob' ? entry.sha : undefined;
    if (entry.type !== 'tree') return undefined;
    current = entry.sha;
  }
  return undefined;
}

/** A new tree on `base`: each path set to its text (GitHub creates the blobs; one request). */
export async function writeTree(
  w: Where,
  base: string | undefined,
  files: Map<string, string>,
): Promise<string> {
  const tree = [...files].map(([path, content]) => ({
    path,
    mode: '100644' as const,
    type: 'blob' as const,
    content,
  }));
  const { data } = await w.octokit.rest.git.createTree({ ...w.repo, tree, ...(base && { base_tree: base }) });
  return data.sha;
}

export async function writeCommit(
  w: Where,
  tree: string,
  parents: string[],
  message: string,
): Promise<string> {
  const { data } = await w.octokit.rest.git.createCommit({ ...w.repo, tree, parents, message });
  return data.sha;
}

/** Creates a ref; false when it already exists (GitHub's 422: the atomic create-only primitive). */
export async function createRef(w: Where, ref: string, sha: string): Promise<boolean> {
  try {
    await w.octokit.rest.git.createRef({ ...w.repo, ref, sha });
    return true;
  } catch (error) {
    if (statusOf(error) === 422) return false;
    throw error;
  }
}

/** Moves a ref only by fast-forward; false when someone else moved it first (422). */
export async function fastForward(w: Where, ref: string, sha: string): Promise<boolean> {
  try {
    await w.octokit.rest.git.updateRef({ ...w.repo, ref: restRef(ref), sha, force: false });
    return true;
  } catch (error) {
    if (statusOf(error) === 422) return false;
    throw error;
  }
}

/** Deletes a ref; one that is already gone is fine. */
export async function deleteRef(w: Where, ref: string): Promise<void> {
  try {
    await w.octokit.rest.git.deleteRef({ ...w.repo, ref: restRef(ref) });
  } catch (error) {
    if (statusOf(error) !== 422 && statusOf(error) !== 404) throw error;
  }
}

/** Refs under a prefix with the shas they point at (one request). */
export async function listRefs(w: Where, prefix: string): Promise<Array<{ ref: string; sha: string }>> {
  const { data } = await w.octokit.rest.git.listMatchingRefs({ ...w.repo, ref: restRef(prefix) });
  return data.map((r) => ({ ref: r.ref, sha: r.object.sha }));
}
