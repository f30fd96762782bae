// The cache service's wire behaviour, driven with plain HTTP (and the Azure Blob SDK that
// @actions/cache uploads with): block uploads, signed URLs, twirp errors, REST-shaped listings.
import { BlockBlobClient } from '@azure/storage-blob';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CacheService } from './index.js';
import { DEFAULT_REF, startCacheService } from './index.js';

const TWIRP = 'twirp/github.actions.results.api.v1.CacheService/';
const VERSION = 'a'.repeat(64);

let service: CacheService;
let token: string;
let clock: number;

beforeEach(async () => {
  clock = Date.parse('2026-07-01T12:00:00Z');
  service = await startCacheService({ now: () => clock });
  token = service.tokenFor({ ref: DEFAULT_REF, mode: 'write' });
});

afterEach(async () => {
  await service.close();
});

async function twirp(method: string, body: unknown, bearer = token, contentType = 'application/json') {
  const res = await fetch(new URL(`${TWIRP}${method}`, service.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': contentType },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function reserve(key: string): Promise<string> {
  const { json } = await twirp('CreateCacheEntry', { key, version: VERSION });
  expect(json.ok).toBe(true);
  return String(json.signed_upload_url);
}

function withQuery(url: string, extra: string): string {
  return `${url}&${extra}`;
}

const put = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'PUT', headers, body });

async function finalizeAndDownload(key: string, size: number): Promise<string> {
  const fin = await twirp('FinalizeCacheEntryUpload', { key, version: VERSION, size_bytes: String(size) });
  expect(fin.json).toMatchObject({ ok: true });
  const url = await twirp('GetCacheEntryDownloadURL', { key, version: VERSION });
  const res = await fetch(String(url.json.signed_download_url));
  expect(res.headers.get('content-length')).toBe(String(size));
  return res.text();
}

describe('blob data plane', () => {
  it('commits staged blocks in block-list order', async () => {
    const url = await reserve('big');
    const ids = ['YmxvY2stMDA=', 'YmxvY2stMDE=', 'YmxvY2stMDI='];
    // Staged out of order, as concurrent uploads do; the list decides the order.
    expect(
      (await put(withQuery(url, `comp=block&blockid=${encodeURIComponent(ids[2])}`), 'three')).status,
    ).toBe(201);
    expect(
      (await put(withQuery(url, `comp=block&blockid=${encodeURIComponent(ids[0])}`), 'one-')).status,
    ).toBe(201);
    expect(
      (await put(withQuery(url, `comp=block&blockid=${encodeURIComponent(ids[1])}`), 'two-')).status,
    ).toBe(201);
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((i) => `<Latest>${i}</Latest>`).join('')}</BlockList>`;
    expect((await put(withQuery(url, 'comp=blocklist'), list)).status).toBe(201);

    expect(await finalizeAndDownload('big', 'one-two-three'.length)).toBe('one-two-three');
    expect(service.requests().map((r) => r.op)).toContain('PutBlockList');
  });

  it('refuses a block list naming a block that was never staged', async () => {
    const url = await reserve('k');
    await put(withQuery(url, 'comp=block&blockid=QUFBQQ%3D%3D'), 'aaaa');
    const res = await put(
      withQuery(url, 'comp=blocklist'),
      '<BlockList><Latest>QkJCQg==</Latest></BlockList>',
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ms-error-code')).toBe('InvalidBlockList');
    expect(await res.text()).toContain('<Code>InvalidBlockList</Code>');
  });

  it('uploads above the single-shot size through the real Azure SDK as blocks', async () => {
    const url = await reserve('sdk');
    const data = Buffer.from('0123456789'.repeat(300));
    const client = new BlockBlobClient(url);
    // @actions/cache uses 128 MiB single shots and 64 MiB blocks; the same code path, scaled down.
    await client.uploadData(data, { maxSingleShotSize: 1024, blockSize: 1000, concurrency: 2 });

    expect(service.requests().filter((r) => r.op === 'PutBlock')).toHaveLength(3);
    expect(await finalizeAndDownload('sdk', data.length)).toBe(data.toString());
  });

  it('requires x-ms-blob-type on a single-shot upload', async () => {
    const url = await reserve('k');
    const res = await put(url, 'data');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ms-error-code')).toBe('MissingRequiredHeader');
  });

  it('rejects a tampered signature and a write through a download URL', async () => {
    const url = await reserve('k');
    const tampered = url.replace(/sig=([^&]+)/, 'sig=forged');
    expect((await put(tampered, 'x', { 'x-ms-blob-type': 'BlockBlob' })).status).toBe(403);

    await put(url, 'data', { 'x-ms-blob-type': 'BlockBlob' });
    await twirp('FinalizeCacheEntryUpload', { key: 'k', version: VERSION, size_bytes: '4' });
    const { json } = await twirp('GetCacheEntryDownloadURL', { key: 'k', version: VERSION });
    const overwrite = await put(String(json.signed_download_url), 'evil', { 'x-ms-blob-type': 'BlockBlob' });
    expect(overwrite.status).toBe(403);
    expect(await (await fetch(String(json.signed_download_url))).text()).toBe('data');
  });

  it('keeps a finalized entry immutable through its old upload URL', async () => {
    const url = await reserve('k');
    await put(url, 'data', { 'x-ms-blob-type': 'BlockBlob' });
    await twirp('FinalizeCacheEntryUpload', { key: 'k', version: VERSION, size_bytes: '4' });
    expect((await put(url, 'evil', { 'x-ms-blob-type': 'BlockBlob' })).status).toBe(403);
  });

  it('refuses an expired URL', async () => {
    const url = await reserve('k');
    clock += 2 * 60 * 60 * 1000;
    expect((await put(url, 'data', { 'x-ms-blob-type': 'BlockBlob' })).status).toBe(403);
  });
});

describe('twirp control plane', () => {
  it('answers a missing or foreign token with 401 unauthenticated', async () => {
    const other = await startCacheService();
    try {
      const foreign = other.tokenFor({ ref: DEFAULT_REF, mode: 'write' });
      const res = await twirp('CreateCacheEntry', { key: 'k', version: VERSION }, foreign);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ code: 'unauthenticated', msg: expect.any(String) });
      expect((await twirp('CreateCacheEntry', { key: 'k', version: VERSION }, '')).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers a second reservation of the same key and version with 409 already_exists', async () => {
    await reserve('k');
    const again = await twirp('CreateCacheEntry', { key: 'k', version: VERSION });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('already_exists');
    // A different version is a different entry.
    expect((await twirp('CreateCacheEntry', { key: 'k', version: 'b'.repeat(64) })).json.ok).toBe(true);
  });

  it('denies a read-only token with ok:false and the cache-write-denied message', async () => {
    const readOnly = service.tokenFor({ ref: DEFAULT_REF, mode: 'read' });
    const res = await twirp('CreateCacheEntry', { key: 'k', version: VERSION }, readOnly);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ ok: false, message: 'cache write denied: token has no writable scopes' });
  });

  it('reports a finalize whose size does not match the upload as not ok', async () => {
    const url = await reserve('k');
    await put(url, 'data', { 'x-ms-blob-type': 'BlockBlob' });
    const fin = await twirp('FinalizeCacheEntryUpload', { key: 'k', version: VERSION, size_bytes: '99' });
    expect(fin.json.ok).toBe(false);
    expect(service.entries()).toEqual([]);
  });

  it('validates requests the way twirp does', async () => {
    expect((await twirp('CreateCacheEntry', { version: VERSION })).json.code).toBe('invalid_argument');
    expect((await twirp('CreateCacheEntry', { key: 'a,b', version: VERSION })).json.code).toBe(
      'invalid_argument',
    );
    expect((await twirp('NoSuchMethod', {})).status).toBe(404);
    expect(
      (await twirp('CreateCacheEntry', { key: 'k', version: VERSION }, token, 'text/plain')).json.code,
    ).toBe('bad_route');
    const restoreKeys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const tooMany = await twirp('GetCacheEntryDownloadURL', {
      key: 'k',
      version: VERSION,
      restore_keys: restoreKeys,
    });
    expect(tooMany.status).toBe(400);
  });

  it('fails the next call of an operation when told to, then recovers', async () => {
    service.failNext('CreateCacheEntry', 429);
    const failed = await twirp('CreateCacheEntry', { key: 'k', version: VERSION });
    expect(failed.status).toBe(429);
    expect(failed.json.code).toBe('resource_exhausted');
    expect((await twirp('CreateCacheEntry', { key: 'k', version: VERSION })).json.ok).toBe(true);
  });
});

describe('REST view of the entries', () => {
  async function saveEntry(key: string, ref: string, body: string) {
    const bearer = service.tokenFor({ ref, mode: 'write' });
    const { json } = await twirp('CreateCacheEntry', { key, version: VERSION }, bearer);
    await put(String(json.signed_upload_url), body, { 'x-ms-blob-type': 'BlockBlob' });
    await twirp(
      'FinalizeCacheEntryUpload',
      { key, version: VERSION, size_bytes: String(body.length) },
      bearer,
    );
  }

  it('lists entries in the shape of GET /repos/{o}/{r}/actions/caches, most recently used first', async () => {
    await saveEntry('a-1', DEFAULT_REF, 'aaa');
    clock += 1000;
    await saveEntry('b-1', 'refs/pull/3/merge', 'bbbbb');

    expect(service.listEntries()).toEqual([
      {
        id: 2,
        key: 'b-1',
        ref: 'refs/pull/3/merge',
        version: VERSION,
        size_in_bytes: 5,
        created_at: '2026-07-01T12:00:01.000Z',
        last_accessed_at: '2026-07-01T12:00:01.000Z',
      },
      expect.objectContaining({ id: 1, key: 'a-1', ref: DEFAULT_REF, size_in_bytes: 3 }),
    ]);
    expect(service.listEntries({ key: 'a-' }).map((e) => e.key)).toEqual(['a-1']);
    expect(service.listEntries({ ref: 'refs/pull/3/merge' }).map((e) => e.key)).toEqual(['b-1']);
    expect(service.listEntries({ sort: 'size_in_bytes', direction: 'asc' }).map((e) => e.key)).toEqual([
      'a-1',
      'b-1',
    ]);
    expect(service.usage()).toEqual({ active_caches_count: 2, active_caches_size_in_bytes: 8 });
  });

  it('deletes by id and by key', async () => {
    await saveEntry('a-1', DEFAULT_REF, 'aaa');
    await saveEntry('b-1', DEFAULT_REF, 'bbb');
    expect(service.deleteEntry(1)).toBe(true);
    expect(service.deleteEntry(1)).toBe(false);
    expect(service.deleteEntriesByKey('b-1').map((e) => e.id)).toEqual([2]);
    expect(service.listEntries()).toEqual([]);
  });

  it('drops the least recently used entries above the size limit', async () => {
    await service.close();
    service = await startCacheService({ now: () => clock, maxTotalBytes: 8 });
    await saveEntry('old', DEFAULT_REF, 'aaaa');
    clock += 1000;
    await saveEntry('mid', DEFAULT_REF, 'bbbb');
    clock += 1000;
    await saveEntry('new', DEFAULT_REF, 'cccc');
    expect(service.entries().map((e) => e.key)).toEqual(['mid', 'new']);
  });
});
