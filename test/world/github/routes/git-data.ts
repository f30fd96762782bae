// Git Data routes: blobs, trees (with `base_tree` and nested paths) and commits, stored in the
// repository's in-memory object store with git's own shas.
import type { GitObject, Signature, TreeEntry } from '../git-objects.js';
import {
  ApiError,
  notFound,
  type Route,
  type RouteContext,
  requireString,
  validationFailed,
} from '../http.js';
import { nodeId, repoUrl } from '../shapes.js';
import type { GitHubState, Repo } from '../state.js';
import { repoOf } from './lookup.js';

type Reply = ReturnType<Route['handler']>;

function objectOf<T extends GitObject['type']>(
  ctx: RouteContext,
  repo: Repo,
  sha: string,
  type: T,
): Extract<GitObject, { type: T }> {
  const obj = ctx.state.objects(repo).get(sha);
  if (obj?.type !== type) throw notFound();
  return obj as Extract<GitObject, { type: T }>;
}

function gitUrl(s: GitHubState, repo: Repo, kind: string, sha: string): string {
  return `${repoUrl(s, repo)}/git/${kind}/${sha}`;
}

function createBlob(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  const content = ctx.body.content;
  if (typeof content !== 'string')
    throw validationFailed({ resource: 'Blob', field: 'content', code: 'missing_field' });
  const encoding = ctx.body.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'base64')
    throw new ApiError(422, `encoding ${String(encoding)} is not supported`);
  const sha = ctx.state
    .objects(repo)
    .putBlob(Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'));
  return { status: 201, body: { sha, url: gitUrl(ctx.state, repo, 'blobs', sha) } };
}

function getBlob(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  const blob = objectOf(ctx, repo, ctx.params.file_sha, 'blob');
  // GitHub wraps the base64 at 60 characters.
  const content = (blob.content.toString('base64').match(/.{1,60}/g) ?? []).join('\n');
  return {
    status: 200,
    body: {
      sha: blob.sha,
      node_id: nodeId('Blob', Number.parseInt(blob.sha.slice(0, 8), 16)),
      size: blob.content.length,
      url: gitUrl(ctx.state, repo, 'blobs', blob.sha),
      content: content ? `${content}\n` : '',
      encoding: 'base64',
    },
  };
}

function treeJson(s: GitHubState, repo: Repo, sha: string, entries: Array<TreeEntry & { path: string }>) {
  return {
    sha,
    url: gitUrl(s, repo, 'trees', sha),
    truncated: false,
    tree: entries.map((e) => {
      const blob = e.type === 'blob' ? s.objects(repo).get(e.sha) : undefined;
      return {
        path: e.path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(blob?.type === 'blob' && { size: blob.content.length }),
        url: gitUrl(s, repo, e.type === 'tree' ? 'trees' : 'blobs', e.sha),
      };
    }),
  };
}

function getTree(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  const tree = objectOf(ctx, repo, ctx.params.tree_sha, 'tree');
  const recursive = ctx.query.has('recursive');
  const entries = recursive
    ? ctx.state.objects(repo).walk(tree.sha)
    : tree.entries.map((e) => ({ ...e, path: e.name }));
  return { status: 200, body: treeJson(ctx.state, repo, tree.sha, entries) };
}

/** One `tree[]` item of `POST /git/trees` → an edit of the base tree. */
function treeEdit(ctx: RouteContext, repo: Repo, raw: unknown): { path: string[]; entry: TreeEntry | null } {
  const item = (raw ?? {}) as Record<string, unknown>;
  const path = typeof item.path === 'string' ? item.path.split('/') : [];
  if (path.length === 0 || path.some((p) => p === '' || p === '.' || p === '..'))
    throw validationFailed({ resource: 'Tree', field: 'path', code: 'invalid' });
  const mode = String(item.mode ?? '100644');
  const type = item.type === 'tree' ? 'tree' : 'blob';
  if (item.sha === null) return { path, entry: null };
  const store = ctx.state.objects(repo);
  let sha: string;
  if (typeof item.content === 'string') sha = store.putBlob(Buffer.from(item.content, 'utf8'));
  else if (typeof item.sha === 'string' && store.get(item.sha)?.type === type) sha = item.sha;
  else throw new ApiError(422, `tree.sha ${String(item.sha)} is not a valid ${type}`);
  return { path, entry: { name: path[path.length - 1], mode, type, sha } };
}

function createTree(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  if (!Array.isArray(ctx.body.tree))
    throw validationFailed({ resource: 'Tree', field: 'tree', code: 'missing_field' });
  const base = ctx.body.base_tree;
  if (base !== undefined && (typeof base !== 'string' || ctx.state.objects(repo).get(base)?.type !== 'tree'))
    throw new ApiError(422, 'base_tree is not a valid tree oid');
  const edits = ctx.body.tree.map((item) => treeEdit(ctx, repo, item));
  const sha = ctx.state.objects(repo).editTree(base as string | undefined, edits);
  const tree = objectOf(ctx, repo, sha, 'tree');
  return {
    status: 201,
    body: treeJson(
      ctx.state,
      repo,
      sha,
      tree.entries.map((e) => ({ ...e, path: e.name })),
    ),
  };
}

function commitJson(s: GitHubState, repo: Repo, c: Extract<GitObject, { type: 'commit' }>) {
  const html = `${s.serverUrl}/${repo.key}/commit`;
  return {
    sha: c.sha,
    node_id: nodeId('Commit', Number.parseInt(c.sha.slice(0, 8), 16)),
    url: gitUrl(s, repo, 'commits', c.sha),
    html_url: `${html}/${c.sha}`,
    author: c.author,
    committer: c.author,
    message: c.message,
    tree: { sha: c.tree, url: gitUrl(s, repo, 'trees', c.tree) },
    parents: c.parents.map((p) => ({ sha: p, url: gitUrl(s, repo, 'commits', p), html_url: `${html}/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

function signature(ctx: RouteContext, raw: unknown): Signature {
  const given = (raw ?? {}) as Partial<Signature>;
  const user = ctx.caller.user;
  return {
    name: given.name ?? user.login,
    email: given.email ?? `${user.id}+${user.login}@users.noreply.github.com`,
    date: new Date(given.date ?? ctx.state.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

function createCommit(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  const store = ctx.state.objects(repo);
  const message = requireString(ctx.body, 'message', 'Commit');
  const tree = requireString(ctx.body, 'tree', 'Commit');
  if (store.get(tree)?.type !== 'tree') throw new ApiError(422, 'Tree SHA does not exist');
  const parents = Array.isArray(ctx.body.parents) ? ctx.body.parents.map(String) : [];
  // Commits pushed through git (the workspace's, in tests) are not in the store: a well-formed sha
  // that the store knows as something other than a commit is refused, an unknown one is taken as a
  // pushed commit (its ancestry is then unknown, so nothing fast-forwards onto it by accident).
  const wrong = (p: string) => !/^[0-9a-f]{40}$/.test(p) || (store.get(p) && store.get(p)?.type !== 'commit');
  if (parents.some(wrong)) throw new ApiError(422, 'Parent SHA does not exist or is not a commit object');
  const sha = store.putCommit({ tree, parents, message, author: signature(ctx, ctx.body.author) });
  return { status: 201, body: commitJson(ctx.state, repo, objectOf(ctx, repo, sha, 'commit')) };
}

function getCommit(ctx: RouteContext): Reply {
  const repo = repoOf(ctx);
  return {
    status: 200,
    body: commitJson(ctx.state, repo, objectOf(ctx, repo, ctx.params.commit_sha, 'commit')),
  };
}

export const gitDataRoutes: Route[] = [
  { method: 'POST', path: '/repos/{owner}/{repo}/git/blobs', handler: createBlob },
  { method: 'GET', path: '/repos/{owner}/{repo}/git/blobs/{file_sha}', handler: getBlob },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/trees', handler: createTree },
  { method: 'GET', path: '/repos/{owner}/{repo}/git/trees/{tree_sha}', handler: getTree },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/commits', handler: createCommit },
  { method: 'GET', path: '/repos/{owner}/{repo}/git/commits/{commit_sha}', handler: getCommit },
];
