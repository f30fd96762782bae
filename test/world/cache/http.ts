// Small HTTP helpers shared by the twirp and blob handlers, plus the bookkeeping every request passes
// through (request log, one-shot injected failures).
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Every operation the emulator serves, named after the twirp method or the Blob REST operation. */
export type CacheOp =
  | 'CreateCacheEntry'
  | 'FinalizeCacheEntryUpload'
  | 'GetCacheEntryDownloadURL'
  | 'PutBlob'
  | 'PutBlock'
  | 'PutBlockList'
  | 'GetBlob';

export interface CacheRequestRecord {
  op: CacheOp | 'unknown';
  method: string;
  path: string;
  status: number;
  /** The cache key the request named, for twirp calls. */
  key?: string;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: Buffer | string,
) {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { ...headers, 'content-length': String(bytes?.length ?? 0) });
  res.end(bytes);
}

/** One-shot failures tests queue per operation; each queued status is answered once, in order. */
export class Faults {
  readonly #queued = new Map<CacheOp, number[]>();

  add(op: CacheOp, status: number): void {
    this.#queued.set(op, [...(this.#queued.get(op) ?? []), status]);
  }

  take(op: CacheOp): number | undefined {
    return this.#queued.get(op)?.shift();
  }
}
