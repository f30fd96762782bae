// The Actions cache service (protocol v2) on loopback: twirp control plane and blob data plane on one
// server, so the real @actions/cache saves and restores against it unchanged.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BLOB_PATH_PREFIX, BlobSigner, blobError, blobOp, handleBlob, parseQuery } from './blob.js';
import type { CacheOp, CacheRequestRecord } from './http.js';
import { Faults, readBody } from './http.js';
import type { CacheEntryView } from './store.js';
import { CacheStore } from './store.js';
import type { TokenRequest } from './tokens.js';
import { DEFAULT_REF, TokenIssuer } from './tokens.js';
import { codeForStatus, handleTwirp, TWIRP_PREFIX, twirpError, twirpOp } from './twirp.js';

export interface CacheServiceOptions {
  /** Milliseconds since the epoch; drives timestamps, URL expiry and 7-day eviction. */
  now?: () => number;
  /** Per-repository size limit (default 10 GiB); least recently used entries go above it. */
  maxTotalBytes?: number;
}

/** A cache entry as the GitHub REST API lists it (`GET /repos/{o}/{r}/actions/caches`). */
export interface RestCacheEntry {
  id: number;
  key: string;
  ref: string;
  version: string;
  size_in_bytes: number;
  created_at: string;
  last_accessed_at: string;
}

/** The query parameters of `GET /repos/{o}/{r}/actions/caches`. */
export interface ListQuery {
  /** A key or key prefix. */
  key?: string;
  /** Exact ref, e.g. `refs/heads/main` or `refs/pull/3/merge`. */
  ref?: string;
  sort?: 'created_at' | 'last_accessed_at' | 'size_in_bytes';
  direction?: 'asc' | 'desc';
}

export interface CacheService {
  /** Base URL: what `ACTIONS_RESULTS_URL` is set to. */
  readonly url: string;
  /** A runtime token carrying the run's cache scopes and mode. */
  tokenFor(req: TokenRequest): string;
  /** Finalized entries, for inspection. */
  entries(): CacheEntryView[];
  /** Entries in REST shape; defaults match the REST API (most recently used first). */
  listEntries(query?: ListQuery): RestCacheEntry[];
  /** What `GET /repos/{o}/{r}/actions/cache/usage` reports. */
  usage(): { active_caches_count: number; active_caches_size_in_bytes: number };
  /** Deletes one entry by id; false when there was none (REST answers 404 then). */
  deleteEntry(id: number): boolean;
  /** Deletes the entries with exactly this key (and ref, when given); returns what was deleted. */
  deleteEntriesByKey(key: string, ref?: string): RestCacheEntry[];
  /** Drops every entry, as if all had been evicted. */
  evictAll(): void;
  /** Adds a finalized entry directly (scope: `ref`, default refs/heads/main), for seeding a long history. */
  seedEntry(entry: { key: string; version: string; data: Buffer; ref?: string }): void;
  /** Makes the next request of `op` fail with `status` (twirp `{code,msg}` or Azure XML). */
  failNext(op: CacheOp, status: number): void;
  /** Every request served so far, in order. */
  requests(): CacheRequestRecord[];
  close(): Promise<void>;
}

/** The environment a step needs for @actions/cache to use this service with protocol v2. */
export function cacheEnv(service: CacheService, token: string): Record<string, string> {
  return {
    ACTIONS_RESULTS_URL: service.url,
    ACTIONS_RUNTIME_TOKEN: token,
    ACTIONS_CACHE_SERVICE_V2: 'True',
    // Any other server URL silently switches @actions/cache to the legacy v1 protocol.
    GITHUB_SERVER_URL: 'https://github.com',
  };
}

const SORT_FIELD = {
  created_at: 'createdAt',
  last_accessed_at: 'lastAccessedAt',
  size_in_bytes: 'sizeInBytes',
} as const;

export async function startCacheService(opts: CacheServiceOptions = {}): Promise<CacheService> {
  const now = opts.now ?? Date.now;
  const store = new CacheStore({ now, maxTotalBytes: opts.maxTotalBytes });
  const tokens = new TokenIssuer(now);
  const signer = new BlobSigner(randomBytes(32), now);
  const faults = new Faults();
  const log: CacheRequestRecord[] = [];
  let baseUrl = '';

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) twirpError(res, 'internal', String(error));
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', baseUrl);
    const record = (op: CacheRequestRecord['op'], status: number, key?: string): void => {
      log.push({ op, method: req.method ?? '', path: url.pathname, status, key });
    };
    store.sweep();
    if (url.pathname.startsWith(TWIRP_PREFIX)) {
      const op = twirpOp(url.pathname);
      const injected = op && faults.take(op);
      if (op && injected)
        return record(op, twirpError(res, codeForStatus(injected), `injected failure (${injected})`));
      const result = handleTwirp({ store, tokens, signer, baseUrl }, req, res, body);
      return record(op ?? 'unknown', result.status, result.key);
    }
    if (url.pathname.startsWith(BLOB_PATH_PREFIX)) {
      const query = parseQuery(url.search);
      const op = blobOp(req.method, query);
      const injected = op && faults.take(op);
      if (op && injected)
        return record(op, blobError(res, injected, 'InjectedFailure', `injected (${injected})`));
      const blobName = decodeURIComponent(url.pathname.slice(BLOB_PATH_PREFIX.length));
      const status = handleBlob({ store, signer, now }, op, { req, res, blobName, query, body });
      return record(op ?? 'unknown', status);
    }
    record('unknown', twirpError(res, 'bad_route', `no route for ${req.method} ${url.pathname}`));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const toRest = (e: CacheEntryView): RestCacheEntry => ({
    id: e.id,
    key: e.key,
    ref: e.ref,
    version: e.version,
    size_in_bytes: e.sizeInBytes,
    created_at: new Date(e.createdAt).toISOString(),
    last_accessed_at: new Date(e.lastAccessedAt).toISOString(),
  });

  const listEntries = (query: ListQuery = {}) => {
    const field = SORT_FIELD[query.sort ?? 'last_accessed_at'];
    const sign = query.direction === 'asc' ? 1 : -1;
    return store
      .list()
      .filter(
        (e) =>
          (query.key === undefined || e.key.startsWith(query.key)) && (!query.ref || e.ref === query.ref),
      )
      .sort((a, b) => sign * (a[field] - b[field] || a.id - b.id))
      .map(toRest);
  };

  return {
    url: baseUrl,
    tokenFor: (req) => tokens.issue(req),
    entries: () => store.list(),
    listEntries,
    usage: () => {
      const all = store.list();
      return {
        active_caches_count: all.length,
        active_caches_size_in_bytes: all.reduce((sum, e) => sum + e.sizeInBytes, 0),
      };
    },
    deleteEntry: (id) => store.delete(id),
    deleteEntriesByKey: (key, ref) => {
      const doomed = listEntries({ ref }).filter((e) => e.key === key);
      for (const e of doomed) store.delete(e.id);
      return doomed;
    },
    evictAll: () => store.clear(),
    seedEntry: (e) => store.seed(e.ref ?? DEFAULT_REF, e.key, e.version, e.data),
    failNext: (op, status) => faults.add(op, status),
    requests: () => [...log],
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
