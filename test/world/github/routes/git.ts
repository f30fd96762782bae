// Git refs and objects. `POST /git/refs` answers 422 when the ref exists, which Pilot uses as a
// lease; `PATCH /git/refs` without `force` accepts only a fast-forward, which Pilot uses as a
// compare-and-swap. Trees and commits made through the API are kept (with their parents) so that
// fast-forwards can be checked; shas of other commits (pushed through git) have no known ancestry.
import { createHash } from 'node:crypto';
import {
  ApiError,
  notFound,
  type Route,
  type RouteContext,
  requireString,
  validationFailed,
} from '../http.js';
import { nodeId, refJson, repoUrl } from '../shapes.js';
import type { GitHubState, Repo } from '../state.js';
import { repoOf } from './lookup.js';

interface GitCommit {
  sha: string;
  tree: string;
  message: string;
  parents: string[];
  date: string;
}

interface GitObjects {
  trees: Set<string>;
  commits: Map<string, GitCommit>;
}

const objectsByRepo = new WeakMap<Repo, GitObjects>();

function objectsOf(repo: Repo): GitObjects {
  let o = objectsByRepo.get(repo);
  if (!o) {
    o = { trees: new Set(), commits: new Map() };
    objectsByRepo.set(repo, o);
  }
  return o;
}

const hash = (text: string) => createHash('sha1').update(text).digest('hex');

/** True when `from` is `to` or one of its ancestors among the commits made through the API. */
function fastForward(repo: Repo, from: string, to: string): boolean {
  const { commits } = objectsOf(repo);
  const queue = [to];
  const seen = new Set<string>();
  while (queue.length) {
    const sha = queue.shift() as string;
    if (sha === from) return true;
    if (seen.has(sha)) continue;
    seen.add(sha);
    queue.push(...(commits.get(sha)?.parents ?? []));
  }
  return false;
}

function createTree(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const entries = ctx.body.tree;
  if (!Array.isArray(entries)) throw validationFailed({ resource: 'Tree', field: 'tree', code: 'missing' });
  const tree = entries.map((raw) => {
    const e = raw as Record<string, unknown>;
    if (typeof e.path !== 'string' || typeof e.mode !== 'string' || typeof e.content !== 'string')
      throw new ApiError(422, 'Invalid tree info');
    const sha = hash(`blob ${e.content}`);
    return { path: e.path, mode: e.mode, type: 'blob', sha, size: Buffer.byteLength(e.content) };
  });
  const sha = hash(`tree ${JSON.stringify(tree)}`);
  objectsOf(repo).trees.add(sha);
  const base = repoUrl(ctx.state, repo);
  return {
    status: 201,
    body: {
      sha,
      url: `${base}/git/trees/${sha}`,
      truncated: false,
      tree: tree.map((t) => ({ ...t, url: `${base}/git/blobs/${t.sha}` })),
    },
  };
}

function commitJson(state: GitHubState, repo: Repo, c: GitCommit) {
  const base = repoUrl(state, repo);
  const html = `${state.serverUrl}/${repo.key}/commit`;
  const person = {
    name: 'github-actions[bot]',
    email: '41898282+github-actions[bot]@users.noreply.github.com',
    date: c.date,
  };
  return {
    sha: c.sha,
    node_id: nodeId('Commit', Number.parseInt(c.sha.slice(0, 8), 16)),
    url: `${base}/git/commits/${c.sha}`,
    html_url: `${html}/${c.sha}`,
    author: person,
    committer: person,
    tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({ sha: p, url: `${base}/git/commits/${p}`, html_url: `${html}/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

function createCommit(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const message = requireString(ctx.body, 'message', 'Commit');
  const tree = requireString(ctx.body, 'tree', 'Commit');
  const parents = (ctx.body.parents ?? []) as unknown;
  if (!objectsOf(repo).trees.has(tree)) throw new ApiError(422, 'Tree SHA does not exist');
  if (!Array.isArray(parents) || parents.some((p) => typeof p !== 'string' || !/^[0-9a-f]{40}$/.test(p)))
    throw new ApiError(422, 'Parent SHA does not exist or is not a commit object');
  const date = ctx.state.now().replace(/\.\d{3}Z$/, 'Z');
  const sha = hash(`commit ${tree} ${parents.join(',')} ${date}\n${message}`);
  const commit: GitCommit = { sha, tree, message, parents: parents as string[], date };
  objectsOf(repo).commits.set(sha, commit);
  return { status: 201, body: commitJson(ctx.state, repo, commit) };
}

/** `{ref}` in the path omits the `refs/` prefix (`heads/main`), but tolerate it too. */
function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

function getRef(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const ref = fullRef(ctx.params.ref);
  const sha =
    repo.refs.get(ref) ?? (ref.startsWith('refs/heads/') ? ctx.state.resolveRef(repo, ref) : undefined);
  if (!sha) throw notFound();
  return { status: 200, body: refJson(ctx.state, repo, ref, sha) };
}

function createRef(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const ref = requireString(ctx.body, 'ref', 'Reference');
  const sha = requireString(ctx.body, 'sha', 'Reference');
  // GitHub requires a fully qualified name with at least two slashes (`refs/heads/x`).
  if (!ref.startsWith('refs/') || ref.split('/').length < 3) {
    throw new ApiError(422, `${ref} is not a valid ref name.`);
  }
  if (!/^[0-9a-f]{40}$/.test(sha))
    throw validationFailed({ resource: 'Reference', field: 'sha', code: 'invalid' });
  if (repo.refs.has(ref) || ctx.state.resolveRef(repo, ref))
    throw new ApiError(422, 'Reference already exists');
  repo.refs.set(ref, sha);
  ctx.state.recordRefWrite(repo, ref, sha, ctx.caller.user);
  return {
    status: 201,
    body: refJson(ctx.state, repo, ref, sha),
    headers: { location: `${ctx.requestUrl.origin}${ctx.requestUrl.pathname}/${ref.slice(5)}` },
  };
}

function updateRef(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const ref = fullRef(ctx.params.ref);
  const sha = requireString(ctx.body, 'sha', 'Reference');
  const current = repo.refs.get(ref);
  if (!current) throw new ApiError(422, 'Reference does not exist');
  // GitHub's default is `force: false`: only a fast-forward is accepted.
  if (ctx.body.force !== true && !fastForward(repo, current, sha))
    throw new ApiError(422, 'Update is not a fast forward');
  repo.refs.set(ref, sha);
  ctx.state.recordRefWrite(repo, ref, sha, ctx.caller.user);
  return { status: 200, body: refJson(ctx.state, repo, ref, sha) };
}

function deleteRef(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const ref = fullRef(ctx.params.ref);
  if (!repo.refs.delete(ref)) throw new ApiError(422, 'Reference does not exist');
  ctx.state.recordRefWrite(repo, ref, null, ctx.caller.user);
  return { status: 204 };
}

export const gitRoutes: Route[] = [
  { method: 'POST', path: '/repos/{owner}/{repo}/git/refs', handler: createRef },
  { method: 'GET', path: '/repos/{owner}/{repo}/git/ref/{ref}', handler: getRef },
  { method: 'PATCH', path: '/repos/{owner}/{repo}/git/refs/{ref}', handler: updateRef },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/git/refs/{ref}', handler: deleteRef },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/trees', handler: createTree },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/commits', handler: createCommit },
];
