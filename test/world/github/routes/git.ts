// Git refs routes. `POST /git/refs` answers 422 when the ref exists, which Pilot uses as a lease.
import {
  ApiError,
  notFound,
  type Route,
  type RouteContext,
  requireString,
  validationFailed,
} from '../http.js';
import { refJson } from '../shapes.js';
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
  if (!repo.refs.has(ref)) throw new ApiError(422, 'Reference does not exist');
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
];
