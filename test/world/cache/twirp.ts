// The cache service's control plane: twirp JSON over `POST /twirp/github.actions.results.api.v1.
// CacheService/<Method>`, as @actions/cache 6 speaks it. Responses use the proto field names
// (`signed_upload_url`, int64 as strings); errors are twirp's `{code, msg}` with the matching status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { BlobSigner } from './blob.js';
import type { CacheOp } from './http.js';
import { send } from './http.js';
import type { CacheStore } from './store.js';
import type { CacheScope, TokenIssuer } from './tokens.js';
import { readableScopes, writableScope } from './tokens.js';

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';

/** The two prefixes @actions/cache dispatches on to tell a policy denial from any other failure. */
export const WRITE_DENIED = 'cache write denied: token has no writable scopes';
export const READ_DENIED = 'cache read denied: token has no readable scopes';

const MAX_KEY_LENGTH = 512;
const MAX_KEYS = 10;

export type TwirpCode =
  | 'invalid_argument'
  | 'malformed'
  | 'unauthenticated'
  | 'permission_denied'
  | 'not_found'
  | 'bad_route'
  | 'already_exists'
  | 'failed_precondition'
  | 'resource_exhausted'
  | 'internal'
  | 'unavailable';

const STATUS: Record<TwirpCode, number> = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  resource_exhausted: 429,
  internal: 500,
  unavailable: 503,
};

/** The twirp code a status stands for, for injected failures. */
export function codeForStatus(status: number): TwirpCode {
  const found = (Object.entries(STATUS) as [TwirpCode, number][]).find(([, s]) => s === status);
  return found?.[0] ?? (status >= 500 ? 'internal' : 'invalid_argument');
}

// proto3 JSON omits empty strings and empty lists, so every field is optional on the wire.
const createRequest = z.object({ key: z.string().default(''), version: z.string().default('') });
const finalizeRequest = createRequest.extend({
  size_bytes: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).default('0'),
});
const downloadRequest = createRequest.extend({ restore_keys: z.array(z.string()).default([]) });

export interface TwirpContext {
  store: CacheStore;
  tokens: TokenIssuer;
  signer: BlobSigner;
  baseUrl: string;
}

export interface TwirpResult {
  status: number;
  key?: string;
}

class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    msg: string,
  ) {
    super(msg);
  }
}

export const TWIRP_METHODS = [
  'CreateCacheEntry',
  'FinalizeCacheEntryUpload',
  'GetCacheEntryDownloadURL',
] as const;
type Method = (typeof TWIRP_METHODS)[number];

export function twirpOp(path: string): CacheOp | undefined {
  const method = path.slice(TWIRP_PREFIX.length);
  return (TWIRP_METHODS as readonly string[]).includes(method) ? (method as Method) : undefined;
}

export function handleTwirp(
  ctx: TwirpContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): TwirpResult {
  try {
    const method = routeOf(req);
    const scopes = authenticate(ctx, req);
    const json = parseJson(body);
    const { key, reply } = dispatch(ctx, method, scopes, json);
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(reply));
    return { status: 200, key };
  } catch (error) {
    if (!(error instanceof TwirpError)) throw error;
    return { status: twirpError(res, error.code, error.message) };
  }
}

export function twirpError(res: ServerResponse, code: TwirpCode, msg: string): number {
  send(res, STATUS[code], { 'content-type': 'application/json' }, JSON.stringify({ code, msg }));
  return STATUS[code];
}

function routeOf(req: IncomingMessage): Method {
  const op = twirpOp(new URL(req.url ?? '/', 'http://x').pathname);
  if (req.method !== 'POST' || !op) {
    throw new TwirpError('bad_route', `no handler for ${req.method} ${req.url}`);
  }
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new TwirpError(
      'bad_route',
      'this emulator speaks twirp JSON only (Content-Type: application/json)',
    );
  }
  return op as Method;
}

function authenticate(ctx: TwirpContext, req: IncomingMessage): CacheScope[] {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  const scopes = match ? ctx.tokens.verify(match[1]) : undefined;
  if (!scopes) throw new TwirpError('unauthenticated', 'invalid or missing runtime token');
  return scopes;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new TwirpError('malformed', 'the request body is not JSON');
  }
}

function parse<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new TwirpError('malformed', parsed.error.message);
  return parsed.data;
}

function dispatch(ctx: TwirpContext, method: Method, scopes: CacheScope[], json: unknown) {
  if (method === 'CreateCacheEntry') return create(ctx, scopes, parse(createRequest, json));
  if (method === 'FinalizeCacheEntryUpload') return finalize(ctx, scopes, parse(finalizeRequest, json));
  return download(ctx, scopes, parse(downloadRequest, json));
}

function checkKeys(keys: string[], version: string): void {
  if (!keys[0]) throw new TwirpError('invalid_argument', 'key is required');
  if (!version) throw new TwirpError('invalid_argument', 'version is required');
  if (keys.length > MAX_KEYS) throw new TwirpError('invalid_argument', `at most ${MAX_KEYS} keys`);
  for (const key of keys) {
    if (key.length > MAX_KEY_LENGTH || key.includes(',')) {
      throw new TwirpError('invalid_argument', `invalid key: ${key}`);
    }
  }
}

function create(ctx: TwirpContext, scopes: CacheScope[], r: z.infer<typeof createRequest>) {
  checkKeys([r.key], r.version);
  const scope = writableScope(scopes);
  // The real service answers a read-only token with ok:false and this message, not a twirp error;
  // @actions/cache then warns "Failed to save: … cache write denied: …" and the job goes on.
  if (!scope) return { key: r.key, reply: { ok: false, message: WRITE_DENIED } };
  const entry = ctx.store.reserve(scope, r.key, r.version);
  if (!entry) {
    throw new TwirpError('already_exists', `cache entry with key ${r.key} and this version already exists`);
  }
  return {
    key: r.key,
    reply: { ok: true, signed_upload_url: ctx.signer.url(ctx.baseUrl, entry.blobName, 'cw') },
  };
}

function finalize(ctx: TwirpContext, scopes: CacheScope[], r: z.infer<typeof finalizeRequest>) {
  checkKeys([r.key], r.version);
  const scope = writableScope(scopes);
  if (!scope) return { key: r.key, reply: { ok: false, message: WRITE_DENIED } };
  const result = ctx.store.finalize(scope, r.key, r.version, Number(r.size_bytes));
  if (result.ok) return { key: r.key, reply: { ok: true, entry_id: String(result.entry.id) } };
  if (result.reason === 'not_found') throw new TwirpError('not_found', result.detail);
  return { key: r.key, reply: { ok: false, message: result.detail } };
}

function download(ctx: TwirpContext, scopes: CacheScope[], r: z.infer<typeof downloadRequest>) {
  checkKeys([r.key, ...r.restore_keys], r.version);
  const readable = readableScopes(scopes);
  // Unlike a write denial, a read denial is a twirp PermissionDenied; the client turns it into a
  // warning and a cache miss.
  if (readable.length === 0) throw new TwirpError('permission_denied', READ_DENIED);
  const entry = ctx.store.match(readable, r.key, r.restore_keys, r.version);
  if (!entry) return { key: r.key, reply: { ok: false } };
  return {
    key: r.key,
    reply: {
      ok: true,
      signed_download_url: ctx.signer.url(ctx.baseUrl, entry.blobName, 'r'),
      matched_key: entry.key,
    },
  };
}
