// The Actions cache as the session store. Behind a small interface so unit tests can pass a map;
// e2e tests use the real @actions/cache against the cache-service emulator.
import * as cache from '@actions/cache';
import { CACHE_KEY_PREFIX } from '../../constants.js';

export interface CacheApi {
  /** Returns the cache id, or -1 when nothing was saved (read-only token, conflict, error). */
  save(paths: string[], key: string): Promise<number>;
  /** Returns the matched key, or undefined on a miss. */
  restore(paths: string[], primaryKey: string, restoreKeys: string[]): Promise<string | undefined>;
  /** `ACTIONS_CACHE_MODE` (`write` when unset), and whether a cache service is configured at all. */
  mode(): string;
  available(): boolean;
}

export const actionsCache: CacheApi = {
  save: (paths, key) => cache.saveCache(paths, key),
  restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
  mode: () => (process.env.ACTIONS_CACHE_MODE ?? 'write').toLowerCase(),
  available: () => cache.isFeatureAvailable(),
};

export function sessionKeyPrefix(issue: number): string {
  return `${CACHE_KEY_PREFIX}-session-${issue}-`;
}

/** `pilot-v1-session-<issue>-<run_id>-<attempt>`; the post step's save adds `-post` (see saveInterrupted). */
export function sessionCacheKey(issue: number, runId: number, attempt: number, suffix = ''): string {
  return `${sessionKeyPrefix(issue)}${runId}-${attempt}${suffix}`;
}
