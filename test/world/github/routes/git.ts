// Git refs routes. `POST /git/refs` answers 422 when the ref exists, which Pilot uses as a lease;
// `PATCH` without `force` answers 422 unless the new commit descends from the current one, which
// the ledger uses as a compare-and-swap. Blobs, trees and commits are in git-data.ts.
import {
  ApiError,
  notFound,
  type Route,
  type RouteContext,
  requireString,
  validationFailed,
} from '../http.js';
import { refJson } from '../shapes.js';
import { gitDataRoutes } from './git-data.js';
import { repoOf } from './lookup.js';

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
  // Git cannot hold `refs/a/b` and `refs/a/b/c` together (a file and a directory of one name).
  if ([...repo.refs.keys()].some((r) => r.startsWith(`${ref}/`) || ref.startsWith(`${r}/`)))
    throw new ApiError(422, 'Reference cannot be created');
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
  // GitHub's default is `force: false`: only a fast-forward (the same commit, or a descendant).
  if (ctx.body.force !== true && !ctx.state.objects(repo).descends(sha, current))
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

/** Refs whose full name starts with `refs/<ref>`, sorted by name (GitHub answers `[]` for none). */
function matchingRefs(ctx: RouteContext): ReturnType<Route['handler']> {
  const repo = repoOf(ctx);
  const prefix = fullRef(ctx.params.ref);
  const body = [...repo.refs.entries()]
    .filter(([name]) => name.startsWith(prefix))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, sha]) => refJson(ctx.state, repo, name, sha));
  return { status: 200, body };
}

export const gitRoutes: Route[] = [
  ...gitDataRoutes,
  { method: 'GET', path: '/repos/{owner}/{repo}/git/matching-refs/{ref}', handler: matchingRefs },
  { method: 'POST', path: '/repos/{owner}/{repo}/git/refs', handler: createRef },
  { method: 'GET', path: '/repos/{owner}/{repo}/git/ref/{ref}', handler: getRef },
  { method: 'PATCH', path: '/repos/{owner}/{repo}/git/refs/{ref}', handler: updateRef },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/git/refs/{ref}', handler: deleteRef },
];
