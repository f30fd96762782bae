// The run's context the way GitHub derives it from the event: ref, head branch, actor, and whether
// the trigger is trusted enough for a writable Actions cache.

export type CacheMode = 'read' | 'write';

type Payload = Record<string, unknown>;

const get = (obj: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Payload)[k] : undefined), obj);

const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
  'pull_request_target',
]);

/**
 * Since the 2026-06 change, events anyone can trigger get a read-only cache token on the default-branch
 * scope; trusted triggers keep read-write (FACTS.md). Unknown events are treated as untrusted.
 */
const WRITE_CACHE_EVENTS = new Set([
  'repository_dispatch',
  'workflow_dispatch',
  'schedule',
  'push',
  'delete',
]);

export function cacheModeFor(eventName: string): CacheMode {
  return WRITE_CACHE_EVENTS.has(eventName) ? 'write' : 'read';
}

export function defaultBranchOf(payload: Payload, fallback = 'main'): string {
  const branch = get(payload, 'repository', 'default_branch');
  return typeof branch === 'string' && branch ? branch : fallback;
}

/** GITHUB_REF: the PR merge ref for PR events, the pushed ref for push, else the default branch. */
export function refFor(eventName: string, payload: Payload, defaultBranch: string): string {
  if (PULL_REQUEST_EVENTS.has(eventName) && eventName !== 'pull_request_target') {
    const number = get(payload, 'pull_request', 'number') ?? get(payload, 'number');
    if (number === undefined) throw new Error(`${eventName} payload has no pull_request.number`);
    return `refs/pull/${number}/merge`;
  }
  const ref = get(payload, 'ref');
  if ((eventName === 'push' || eventName === 'workflow_dispatch') && typeof ref === 'string' && ref) {
    return ref.startsWith('refs/') ? ref : `refs/heads/${ref}`;
  }
  return `refs/heads/${defaultBranch}`;
}

/** What the Actions UI lists as the run's branch. */
export function headBranchFor(eventName: string, payload: Payload, ref: string): string {
  const head = get(payload, 'pull_request', 'head', 'ref');
  if (PULL_REQUEST_EVENTS.has(eventName) && typeof head === 'string') return head;
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

export function actorOf(payload: Payload): string {
  const login = get(payload, 'sender', 'login');
  return typeof login === 'string' ? login : 'octocat';
}
