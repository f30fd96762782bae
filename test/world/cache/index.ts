// The Actions cache-service emulator: start it, hand `cacheEnv(service, service.tokenFor(...))` to the
// process that runs @actions/cache, and inspect `entries()` / `requests()` afterwards.
export type { CacheOp, CacheRequestRecord } from './http.js';
export type { CacheService, CacheServiceOptions, ListQuery, RestCacheEntry } from './service.js';
export { cacheEnv, startCacheService } from './service.js';
export type { CacheEntryView } from './store.js';
export { EVICT_AFTER_MS } from './store.js';
export type { CacheTokenMode, TokenRequest } from './tokens.js';
export { DEFAULT_REF } from './tokens.js';
export { READ_DENIED, WRITE_DENIED } from './twirp.js';
