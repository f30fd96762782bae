// The GitHub REST emulator: `startGitHub()` and the types tests use with it.
export {
  GitHubEmulator,
  type PullView,
  type ReactionTarget,
  type RepoInit,
  type StartOptions,
  startGitHub,
  type TokenOptions,
} from './emulator.js';
export type { Access, Scope, TokenPermissions } from './http.js';
export type { ActiveFault, Fault, RequestRecord } from './server.js';
export {
  ACTIONS_BOT,
  type CacheEntries,
  type CacheEntry,
  type Comment,
  fakeSha,
  type Issue,
  type Reaction,
  type ReactionContent,
  type RecordedDispatch,
  type RefResolver,
  type Role,
  type Run,
  type User,
} from './state.js';
