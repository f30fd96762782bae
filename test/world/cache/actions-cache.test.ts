// The real @actions/cache (protocol v2) against the local cache service, in-process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restoreCache, saveCache } from '@actions/cache';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CacheService, TokenRequest } from './index.js';
import { cacheEnv, DEFAULT_REF, EVICT_AFTER_MS, startCacheService } from './index.js';

const DAY = 24 * 60 * 60 * 1000;
const PR_REF = 'refs/pull/3/merge';

let service: CacheService;
let clock: number;
let root: string;
let workspace: string;
let cached: string;

beforeEach(async () => {
  clock = Date.parse('2026-07-01T12:00:00Z');
  service = await startCacheService({ now: () => clock });
  root = mkdtempSync(join(tmpdir(), 'pilot-cache-'));
  workspace = join(root, 'workspace');
  cached = join(workspace, 'session');
  await mkdir(join(root, 'temp'), { recursive: true });
});

afterEach(async () => {
  await service.close();
  rmSync(root, { recursive: true, force: true });
});

/** Writes the cached directory's content afresh. */
async function writeSession(content: string): Promise<void> {
  rmSync(cached, { recursive: true, force: true });
  await mkdir(join(cached, 'projects'), { recursive: true });
  writeFileSync(join(cached, 'projects', 'transcript.jsonl'), content);
}

function sessionContent(): string | undefined {
  try {
    return readFileSync(join(cached, 'projects', 'transcript.jsonl'), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Runs one cache call as a step would: with the runner's environment for this token, capturing what
 * @actions/core writes to stdout (info lines and `::warning::` commands). Restores both afterwards.
 */
async function asStep<T>(token: TokenRequest, fn: () => Promise<T>): Promise<{ result: T; log: string }> {
  const env: Record<string, string> = {
    ...cacheEnv(service, service.tokenFor(token)),
    RUNNER_TEMP: join(root, 'temp'),
    GITHUB_WORKSPACE: workspace,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedMode = process.env.ACTIONS_CACHE_MODE;
  Object.assign(process.env, env);
  // The service must refuse on its own; a runner-side mode would skip the request entirely.
  delete process.env.ACTIONS_CACHE_MODE;
  let log = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    log += String(chunk);
    return true;
  });
  try {
    return { result: await fn(), log };
  } finally {
    write.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (savedMode !== undefined) process.env.ACTIONS_CACHE_MODE = savedMode;
  }
}

const main = (mode: TokenRequest['mode'] = 'write'): TokenRequest => ({ ref: DEFAULT_REF, mode });
const pr = (mode: TokenRequest['mode'] = 'write'): TokenRequest => ({ ref: PR_REF, mode });
const save = (token: TokenRequest, key: string) => asStep(token, () => saveCache([cached], key));
const restore = (token: TokenRequest, key: string, restoreKeys?: string[]) =>
  asStep(token, () => {
    rmSync(cached, { recursive: true, force: true });
    return restoreCache([cached], key, restoreKeys);
  });

describe('the real @actions/cache against the local cache service', () => {
  it('saves a directory and restores it byte for byte', async () => {
    await writeSession('{"turn":1}\n');
    const saved = await save(main(), 'pilot-v1-session-7-100-1');
    expect(saved.result).toBeGreaterThan(0);
    expect(service.entries()).toMatchObject([{ key: 'pilot-v1-session-7-100-1', ref: DEFAULT_REF }]);

    const restored = await restore(main(), 'pilot-v1-session-7-100-1');
    expect(restored.result).toBe('pilot-v1-session-7-100-1');
    expect(restored.log).toContain('Cache restored successfully');
    expect(sessionContent()).toBe('{"turn":1}\n');
    expect(service.requests().map((r) => `${r.op} ${r.status}`)).toEqual([
      'CreateCacheEntry 200',
      'PutBlob 201',
      'FinalizeCacheEntryUpload 200',
      'GetCacheEntryDownloadURL 200',
      'GetBlob 200',
    ]);
  });

  it('misses cleanly when nothing matches', async () => {
    await writeSession('x');
    const restored = await restore(main(), 'nothing-here', ['nothing-']);
    expect(restored.result).toBeUndefined();
    expect(restored.log).not.toContain('::warning::');
  });

  it('restores the newest entry when only a prefix matches', async () => {
    await writeSession('older');
    await save(main(), 'deps-linux-1');
    clock += 60_000;
    await writeSession('newer');
    await save(main(), 'deps-linux-2');

    const byRestoreKey = await restore(main(), 'deps-linux-3', ['deps-linux-']);
    expect(byRestoreKey.result).toBe('deps-linux-2');
    expect(byRestoreKey.log).toContain('Cache hit for restore-key: deps-linux-2');
    expect(sessionContent()).toBe('newer');

    const byKeyPrefix = await restore(main(), 'deps-linux');
    expect(byKeyPrefix.result).toBe('deps-linux-2');
  });

  it('prefers an exact key over a newer prefix match', async () => {
    await writeSession('exact');
    await save(main(), 'deps');
    clock += 60_000;
    await writeSession('longer');
    await save(main(), 'deps-more');

    expect((await restore(main(), 'deps')).result).toBe('deps');
    expect(sessionContent()).toBe('exact');
  });

  it('refuses a duplicate save cleanly and keeps the first entry', async () => {
    await writeSession('first');
    await save(main(), 'same-key');
    await writeSession('second');

    const again = await save(main(), 'same-key');
    expect(again.result).toBe(-1);
    expect(again.log).toContain('Failed to save: Unable to reserve cache with key same-key');
    expect(service.entries()).toHaveLength(1);
    await restore(main(), 'same-key');
    expect(sessionContent()).toBe('first');
  });

  it("denies a read-only token's save with a warning, and its restores still work", async () => {
    await writeSession('trusted');
    await save(main('write'), 'pilot-state-1');
    await writeSession('untrusted');

    const denied = await save(main('read'), 'pilot-state-2');
    expect(denied.result).toBe(-1);
    expect(denied.log).toContain(
      '::warning::Failed to save: Unable to reserve cache with key pilot-state-2. More details: cache write denied: token has no writable scopes',
    );
    expect(service.entries().map((e) => e.key)).toEqual(['pilot-state-1']);

    const restored = await restore(main('read'), 'pilot-state-2', ['pilot-state-']);
    expect(restored.result).toBe('pilot-state-1');
    expect(sessionContent()).toBe('trusted');
  });

  it('answers a token without readable scopes with a warning and a miss', async () => {
    await writeSession('x');
    await save(main(), 'k');
    const restored = await restore(main('none'), 'k');
    expect(restored.result).toBeUndefined();
    expect(restored.log).toContain('::warning::Failed to restore:');
    expect(restored.log).toContain('cache read denied:');
  });

  it("lets a PR run read the default branch's entries, but not the other way round", async () => {
    await writeSession('from main');
    await save(main(), 'base-1');

    expect((await restore(pr(), 'base-1')).result).toBe('base-1');
    expect(sessionContent()).toBe('from main');

    await writeSession('from the PR');
    expect((await save(pr(), 'pr-1')).result).toBeGreaterThan(0);
    expect(service.entries().find((e) => e.key === 'pr-1')?.ref).toBe(PR_REF);

    expect((await restore(main(), 'pr-1')).result).toBeUndefined();
    expect((await restore(pr(), 'pr-1')).result).toBe('pr-1');
    expect(sessionContent()).toBe('from the PR');
  });

  it("prefers the run's own ref over the default branch", async () => {
    await writeSession('main copy');
    await save(main(), 'tool-1');
    await writeSession('pr copy');
    await save(pr(), 'tool-1');

    await restore(pr(), 'tool-1');
    expect(sessionContent()).toBe('pr copy');
    await restore(main(), 'tool-1');
    expect(sessionContent()).toBe('main copy');
  });

  it('evicts an entry nobody used for 7 days, and a restore keeps it alive', async () => {
    await writeSession('x');
    await save(main(), 'claude-bin-1');

    clock += 6 * DAY;
    expect((await restore(main(), 'claude-bin-1')).result).toBe('claude-bin-1');
    clock += 6 * DAY;
    expect(service.entries()).toHaveLength(1);

    clock += EVICT_AFTER_MS - 6 * DAY;
    expect((await restore(main(), 'claude-bin-1')).result).toBeUndefined();
    expect(service.entries()).toEqual([]);
  });

  it('misses after evictAll', async () => {
    await writeSession('x');
    await save(main(), 'k');
    service.evictAll();
    expect((await restore(main(), 'k')).result).toBeUndefined();
  });
});
