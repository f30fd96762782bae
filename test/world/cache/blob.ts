// The blob data plane: what the Azure Blob SDK (uploads) and the plain HTTP client (downloads) of
// @actions/cache talk to behind the signed URLs the twirp calls hand out. URLs look like Azurite's
// IP-style form (`/<account>/<container>/<blob>?sp=…&se=…&sig=…`), which the SDK parses without
// rewriting. Operations: Put Blob (single shot ≤128 MiB), Put Block + Put Block List (larger
// archives, 64 MiB blocks), Get Blob. Errors are Azure's XML `<Error><Code/><Message/></Error>`.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CacheOp } from './http.js';
import { send } from './http.js';
import type { CacheStore, StoredEntry } from './store.js';

const ACCOUNT = 'devstoreaccount1';
const CONTAINER = 'actions-cache';
export const BLOB_PATH_PREFIX = `/${ACCOUNT}/${CONTAINER}/`;
const URL_LIFETIME_MS = 60 * 60 * 1000;
const MS_VERSION = '2025-11-05';

export type BlobPermission = 'r' | 'cw';

/** Signs and checks blob URLs, so only URLs the twirp calls handed out reach the data. */
export class BlobSigner {
  constructor(
    private readonly secret: Buffer,
    private readonly now: () => number,
  ) {}

  url(baseUrl: string, blobName: string, sp: BlobPermission): string {
    const se = new Date(this.now() + URL_LIFETIME_MS).toISOString();
    const sig = this.#sign(blobName, sp, se);
    const query = `sv=${MS_VERSION}&sr=b&sp=${sp}&se=${encodeURIComponent(se)}&sig=${sig}`;
    return new URL(`${BLOB_PATH_PREFIX}${blobName}?${query}`, baseUrl).href;
  }

  /** The permissions the URL grants, or undefined when it was not signed here or has expired. */
  check(blobName: string, query: Map<string, string>): string | undefined {
    const sp = query.get('sp') ?? '';
    const se = query.get('se') ?? '';
    const expected = Buffer.from(this.#sign(blobName, sp, se));
    const given = Buffer.from(query.get('sig') ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    if (!(Date.parse(se) > this.now())) return undefined;
    return sp;
  }

  #sign(blobName: string, sp: string, se: string): string {
    return createHmac('sha256', this.secret).update(`${blobName}\n${sp}\n${se}`).digest('base64url');
  }
}

/** Decodes a query string without turning `+` into a space: block ids are base64. */
export function parseQuery(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    params.set(decodeURIComponent(name), eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)));
  }
  return params;
}

export interface BlobRequest {
  req: IncomingMessage;
  res: ServerResponse;
  blobName: string;
  query: Map<string, string>;
  body: Buffer;
}

export interface BlobContext {
  store: CacheStore;
  signer: BlobSigner;
  now: () => number;
}

/** Which operation a data-plane request is, before it is allowed or served. */
export function blobOp(method: string | undefined, query: Map<string, string>): CacheOp | undefined {
  if (method === 'GET' || method === 'HEAD') return 'GetBlob';
  if (method !== 'PUT') return undefined;
  const comp = query.get('comp');
  if (comp === 'block') return 'PutBlock';
  if (comp === 'blocklist') return 'PutBlockList';
  return comp === undefined ? 'PutBlob' : undefined;
}

export function handleBlob(ctx: BlobContext, op: CacheOp | undefined, r: BlobRequest): number {
  const sp = ctx.signer.check(r.blobName, r.query);
  if (sp === undefined) {
    return blobError(r.res, 403, 'AuthenticationFailed', 'Signature did not match or the URL has expired.');
  }
  const entry = ctx.store.byBlobName(r.blobName);
  if (!op) return blobError(r.res, 405, 'UnsupportedHttpVerb', `${r.req.method} is not supported here.`);
  if (op === 'GetBlob') return getBlob(ctx, r, sp, entry);
  if (!sp.includes('w')) {
    return blobError(r.res, 403, 'AuthorizationPermissionMismatch', 'This URL does not permit writes.');
  }
  if (!entry || entry.finalized) {
    // Entries are immutable: once finalized, its upload URL writes nothing.
    return blobError(
      r.res,
      403,
      'AuthorizationPermissionMismatch',
      'The cache entry no longer accepts uploads.',
    );
  }
  if (op === 'PutBlock') return putBlock(ctx, r, entry);
  if (op === 'PutBlockList') return putBlockList(ctx, r, entry);
  return putBlob(ctx, r, entry);
}

function putBlob(ctx: BlobContext, r: BlobRequest, entry: StoredEntry): number {
  if (r.req.headers['x-ms-blob-type'] !== 'BlockBlob') {
    return blobError(
      r.res,
      400,
      'MissingRequiredHeader',
      'An HTTP header x-ms-blob-type: BlockBlob is required.',
    );
  }
  entry.blob.data = r.body;
  entry.blob.blocks.clear();
  return created(ctx, r.res);
}

function putBlock(ctx: BlobContext, r: BlobRequest, entry: StoredEntry): number {
  const blockId = r.query.get('blockid');
  if (!blockId || !isBase64(blockId)) {
    return blobError(r.res, 400, 'InvalidQueryParameterValue', 'blockid must be a base64 string.');
  }
  entry.blob.blocks.set(blockId, r.body);
  return created(ctx, r.res);
}

function putBlockList(ctx: BlobContext, r: BlobRequest, entry: StoredEntry): number {
  const ids = parseBlockList(r.body.toString('utf8'));
  if (ids === undefined)
    return blobError(r.res, 400, 'InvalidXmlDocument', 'The block list is not valid XML.');
  const parts = ids.map((id) => entry.blob.blocks.get(id));
  if (parts.some((p) => p === undefined)) {
    return blobError(r.res, 400, 'InvalidBlockList', 'The block list names a block that was not uploaded.');
  }
  entry.blob.data = Buffer.concat(parts as Buffer[]);
  entry.blob.blocks.clear();
  return created(ctx, r.res);
}

function getBlob(ctx: BlobContext, r: BlobRequest, sp: string, entry: StoredEntry | undefined): number {
  if (!sp.includes('r')) {
    return blobError(r.res, 403, 'AuthorizationPermissionMismatch', 'This URL does not permit reads.');
  }
  if (!entry?.finalized || !entry.blob.data) {
    return blobError(r.res, 404, 'BlobNotFound', 'The specified blob does not exist.');
  }
  const data = entry.blob.data;
  const headers = {
    ...commonHeaders(ctx),
    'content-type': 'application/octet-stream',
    'x-ms-blob-type': 'BlockBlob',
    'accept-ranges': 'bytes',
  };
  if (r.req.method === 'HEAD') {
    r.res.writeHead(200, { ...headers, 'content-length': String(data.length) });
    r.res.end();
  } else {
    send(r.res, 200, headers, data);
  }
  return 200;
}

/** The `<Latest>`/`<Committed>`/`<Uncommitted>` ids of a Put Block List body, in order. */
export function parseBlockList(xml: string): string[] | undefined {
  if (!/<BlockList>[\s\S]*<\/BlockList>/.test(xml)) return undefined;
  return [...xml.matchAll(/<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>/g)].map((m) => m[2].trim());
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;
}

function created(ctx: BlobContext, res: ServerResponse): number {
  send(res, 201, { ...commonHeaders(ctx), 'x-ms-request-server-encrypted': 'true' });
  return 201;
}

function commonHeaders(ctx: BlobContext): Record<string, string> {
  const date = new Date(ctx.now()).toUTCString();
  return {
    etag: `"0x${randomUUID().replaceAll('-', '').slice(0, 15).toUpperCase()}"`,
    'last-modified': date,
    date,
    'x-ms-request-id': randomUUID(),
    'x-ms-version': MS_VERSION,
  };
}

export function blobError(res: ServerResponse, status: number, code: string, message: string): number {
  const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  send(
    res,
    status,
    { 'content-type': 'application/xml', 'x-ms-error-code': code, 'x-ms-version': MS_VERSION },
    body,
  );
  return status;
}
