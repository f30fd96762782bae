// Actions caches REST routes, backed by the cache-service emulator's entries when one is wired in.
import { notFound, paginate, type Route, type RouteContext } from '../http.js';
import type { CacheEntry } from '../state.js';
import { repoOf } from './lookup.js';

function entries(ctx: RouteContext): CacheEntry[] {
  repoOf(ctx);
  return ctx.state.cacheEntries?.listEntries() ?? [];
}

function cacheJson(e: CacheEntry): Record<string, unknown> {
  return {
    id: e.id,
    ref: e.ref,
    key: e.key,
    version: e.version,
    last_accessed_at: e.last_accessed_at,
    created_at: e.created_at,
    size_in_bytes: e.size_in_bytes,
  };
}

const SORT_FIELDS: Record<string, keyof CacheEntry> = {
  created_at: 'created_at',
  last_accessed_at: 'last_accessed_at',
  size_in_bytes: 'size_in_bytes',
};

/** `key` is a prefix filter on the list, `ref` an exact one; default order: last accessed, newest first. */
function listCaches(ctx: RouteContext): ReturnType<Route['handler']> {
  const key = ctx.query.get('key');
  const ref = ctx.query.get('ref');
  const field = SORT_FIELDS[ctx.query.get('sort') ?? 'last_accessed_at'] ?? 'last_accessed_at';
  const desc = (ctx.query.get('direction') ?? 'desc') === 'desc';
  const matching = entries(ctx)
    .filter((e) => (!key || e.key.startsWith(key)) && (!ref || e.ref === ref))
    .sort((a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0) * (desc ? -1 : 1));
  const { items, headers } = paginate(matching, ctx);
  return {
    status: 200,
    headers,
    body: { total_count: matching.length, actions_caches: items.map(cacheJson) },
  };
}

/** Deleting by key matches the key exactly (and the ref when given); nothing matched → 404. */
function deleteByKey(ctx: RouteContext): ReturnType<Route['handler']> {
  const key = ctx.query.get('key') ?? '';
  const ref = ctx.query.get('ref');
  const doomed = entries(ctx).filter((e) => e.key === key && (!ref || e.ref === ref));
  if (doomed.length === 0) throw notFound();
  for (const e of doomed) ctx.state.cacheEntries?.deleteEntry(e.id);
  return { status: 200, body: { total_count: doomed.length, actions_caches: doomed.map(cacheJson) } };
}

function deleteById(ctx: RouteContext): ReturnType<Route['handler']> {
  const id = Number(ctx.params.cache_id);
  if (!entries(ctx).some((e) => e.id === id)) throw notFound();
  ctx.state.cacheEntries?.deleteEntry(id);
  return { status: 204 };
}

export const cacheRoutes: Route[] = [
  { method: 'GET', path: '/repos/{owner}/{repo}/actions/caches', handler: listCaches },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/actions/caches', handler: deleteByKey },
  { method: 'DELETE', path: '/repos/{owner}/{repo}/actions/caches/{cache_id}', handler: deleteById },
];
