// The cache entries themselves: reservations, immutable finalized entries, matching and eviction.
// Pure in-memory logic with an injected clock; the HTTP layers (twirp.ts, blob.ts) sit on top.
import { randomUUID } from 'node:crypto';

export const DAY_MS = 24 * 60 * 60 * 1000;
/** GitHub evicts entries not accessed for 7 days. */
export const EVICT_AFTER_MS = 7 * DAY_MS;
/** GitHub's default per-repository cache limit; above it the least recently used entries go. */
export const DEFAULT_MAX_TOTAL_BYTES = 10 * 1024 ** 3;

/** The bytes behind one signed URL: uncommitted blocks until a blocklist (or single PUT) commits them. */
export interface Blob {
  data?: Buffer;
  blocks: Map<string, Buffer>;
}

export interface StoredEntry {
  id: number;
  key: string;
  version: string;
  /** The ref whose scope the entry was saved in (what the REST API calls `ref`). */
  scope: string;
  blobName: string;
  blob: Blob;
  finalized: boolean;
  sizeInBytes: number;
  createdAt: number;
  lastAccessedAt: number;
}

/** A finalized entry as tests see it (no bytes). */
export interface CacheEntryView {
  id: number;
  key: string;
  version: string;
  ref: string;
  sizeInBytes: number;
  createdAt: number;
  lastAccessedAt: number;
}

export type FinalizeResult =
  | { ok: true; entry: StoredEntry }
  | {
      ok: false;
      reason: 'not_found' | 'not_uploaded' | 'size_mismatch' | 'already_finalized';
      detail: string;
    };

export interface StoreOptions {
  now: () => number;
  maxTotalBytes?: number;
}

export class CacheStore {
  readonly #entries = new Map<number, StoredEntry>();
  readonly #now: () => number;
  readonly #maxTotalBytes: number;
  #nextId = 1;

  constructor(opts: StoreOptions) {
    this.#now = opts.now;
    this.#maxTotalBytes = opts.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  }

  /** Reserves key+version in a scope; undefined when it exists already (entries are immutable). */
  reserve(scope: string, key: string, version: string): StoredEntry | undefined {
    this.sweep();
    if (this.#find(scope, key, version)) return undefined;
    const now = this.#now();
    const entry: StoredEntry = {
      id: this.#nextId++,
      key,
      version,
      scope,
      blobName: randomUUID(),
      blob: { blocks: new Map() },
      finalized: false,
      sizeInBytes: 0,
      createdAt: now,
      lastAccessedAt: now,
    };
    this.#entries.set(entry.id, entry);
    return entry;
  }

  finalize(scope: string, key: string, version: string, sizeBytes: number): FinalizeResult {
    this.sweep();
    const entry = this.#find(scope, key, version);
    if (!entry) return { ok: false, reason: 'not_found', detail: `no cache entry reserved for key ${key}` };
    if (entry.finalized)
      return { ok: false, reason: 'already_finalized', detail: `cache entry ${key} is final` };
    const data = entry.blob.data;
    if (!data) return { ok: false, reason: 'not_uploaded', detail: `nothing was uploaded for key ${key}` };
    if (data.length !== sizeBytes) {
      return {
        ok: false,
        reason: 'size_mismatch',
        detail: `uploaded ${data.length} bytes but finalize says ${sizeBytes} for key ${key}`,
      };
    }
    const now = this.#now();
    Object.assign(entry, { finalized: true, sizeInBytes: data.length, createdAt: now, lastAccessedAt: now });
    this.#enforceLimit(entry.id);
    return { ok: true, entry };
  }

  /**
   * GitHub's lookup: per readable scope in order (own ref, then default branch), exact key, then prefix
   * of the primary key, then each restore key as a prefix; the newest entry wins; the version must match.
   */
  match(scopes: string[], key: string, restoreKeys: string[], version: string): StoredEntry | undefined {
    this.sweep();
    for (const scope of scopes) {
      const candidates = this.#ready().filter((e) => e.scope === scope && e.version === version);
      const hit =
        newest(candidates.filter((e) => e.key === key)) ??
        newest(candidates.filter((e) => e.key.startsWith(key))) ??
        firstDefined(restoreKeys, (rk) => newest(candidates.filter((e) => e.key.startsWith(rk))));
      if (hit) {
        hit.lastAccessedAt = this.#now();
        return hit;
      }
    }
    return undefined;
  }

  /** A finalized entry placed directly, without HTTP or the size limit (seeding a long history). */
  seed(scope: string, key: string, version: string, data: Buffer): void {
    const now = this.#now();
    const id = this.#nextId++;
    this.#entries.set(id, {
      id,
      key,
      version,
      scope,
      blobName: randomUUID(),
      blob: { data, blocks: new Map() },
      finalized: true,
      sizeInBytes: data.length,
      createdAt: now,
      lastAccessedAt: now,
    });
  }

  byBlobName(name: string): StoredEntry | undefined {
    return [...this.#entries.values()].find((e) => e.blobName === name);
  }

  /** Drops entries (and stale reservations) unused for 7 days. Called on every access. */
  sweep(): void {
    const now = this.#now();
    for (const entry of this.#entries.values()) {
      if (now - entry.lastAccessedAt >= EVICT_AFTER_MS) this.#entries.delete(entry.id);
    }
  }

  list(): CacheEntryView[] {
    this.sweep();
    return this.#ready().map(view);
  }

  delete(id: number): boolean {
    return this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }

  #ready(): StoredEntry[] {
    return [...this.#entries.values()].filter((e) => e.finalized);
  }

  #find(scope: string, key: string, version: string): StoredEntry | undefined {
    return [...this.#entries.values()].find(
      (e) => e.scope === scope && e.key === key && e.version === version,
    );
  }

  #enforceLimit(keepId: number): void {
    const lru = this.#ready()
      .filter((e) => e.id !== keepId)
      .sort((a, b) => a.lastAccessedAt - b.lastAccessedAt);
    let total = this.#ready().reduce((sum, e) => sum + e.sizeInBytes, 0);
    for (const entry of lru) {
      if (total <= this.#maxTotalBytes) return;
      this.#entries.delete(entry.id);
      total -= entry.sizeInBytes;
    }
  }
}

function newest(entries: StoredEntry[]): StoredEntry | undefined {
  // Ties on a frozen test clock fall back to creation order (ids grow).
  return entries.reduce<StoredEntry | undefined>(
    (best, e) =>
      !best || e.createdAt > best.createdAt || (e.createdAt === best.createdAt && e.id > best.id) ? e : best,
    undefined,
  );
}

function firstDefined<T, R>(items: T[], fn: (item: T) => R | undefined): R | undefined {
  for (const item of items) {
    const result = fn(item);
    if (result !== undefined) return result;
  }
  return undefined;
}

function view(e: StoredEntry): CacheEntryView {
  return {
    id: e.id,
    key: e.key,
    version: e.version,
    ref: e.scope,
    sizeInBytes: e.sizeInBytes,
    createdAt: e.createdAt,
    lastAccessedAt: e.lastAccessedAt,
  };
}
