// Plumbing shared by the emulator's routes: the route table's types, GitHub-style errors,
// path-template matching and pagination. No state lives here.
import type { GitHubState, User } from './state.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** `GITHUB_TOKEN` permission scopes the emulator enforces (`permissions:` in a workflow). */
export type Scope = 'actions' | 'checks' | 'contents' | 'issues' | 'metadata' | 'pull_requests';
export type Access = 'none' | 'read' | 'write';
export type TokenPermissions = Partial<Record<Scope, Access>>;

/** Who made a request: the identity the token maps to, and the workflow run it belongs to (if any). */
export interface Caller {
  user: User;
  /** True for the Actions `GITHUB_TOKEN`, which GitHub treats specially (PR creation setting). */
  actionsToken: boolean;
  runId?: number;
  /** Scopes of an Actions/App token; undefined = unrestricted (a human's classic token). */
  permissions?: TokenPermissions;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  caller: Caller;
  state: GitHubState;
  /** Full request URL (for `link` headers). */
  requestUrl: URL;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Plain-text body (job logs). */
  text?: string;
}

export interface Route {
  method: Method;
  /** Path template exactly as in GitHub's OpenAPI description. */
  path: string;
  handler: (ctx: RouteContext) => Reply;
  /** The permission scope the route needs: read for GET, write otherwise. */
  scope?: Scope;
}

/** Whether a token with `permissions` may call a route of `scope` with `method`. */
export function allowed(permissions: TokenPermissions | undefined, scope: Scope, method: Method): boolean {
  if (!permissions) return true;
  const granted = permissions[scope] ?? (scope === 'metadata' ? 'read' : 'none');
  return method === 'GET' ? granted !== 'none' : granted === 'write';
}

const DOCS = 'https://docs.github.com/rest';

/** An error response in GitHub's shape: `{message, documentation_url, status, errors?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    return { message: this.message, documentation_url: DOCS, status: String(this.status), ...this.extra };
  }
}

export const notFound = (): ApiError => new ApiError(404, 'Not Found');

/** 422 "Validation Failed" with one entry in `errors`, the way GitHub reports field problems. */
export function validationFailed(error: Record<string, unknown>): ApiError {
  return new ApiError(422, 'Validation Failed', { errors: [error] });
}

/**
 * Compiles a template like `/repos/{owner}/{repo}/git/refs/{ref}` to a matcher. `{ref}` may span
 * slashes (`refs/pilot/leases/issue-7`, `heads/pilot/issue-1-x`), as GitHub accepts; other
 * parameters are one path segment. Octokit percent-encodes `/` inside parameters, so segments are
 * decoded after matching.
 */
export function compilePath(template: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const source = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return name === 'ref' ? '(.+?)' : '([^/]+)';
  });
  const re = new RegExp(`^${source}/?$`);
  return (path) => {
    const m = re.exec(path);
    if (!m) return undefined;
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])]));
  };
}

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

/** Slices a list by `per_page` (default 30, max 100) and `page`, with GitHub's `link` header. */
export function paginate<T>(all: T[], ctx: RouteContext): Page<T> {
  const perPage = Math.min(Math.max(Number(ctx.query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.get('page') ?? 1) || 1, 1);
  const last = Math.max(Math.ceil(all.length / perPage), 1);
  const items = all.slice((page - 1) * perPage, page * perPage);
  const link = linkHeader(ctx.requestUrl, page, last);
  return { items, headers: link ? { link } : {} };
}

function linkHeader(url: URL, page: number, last: number): string | undefined {
  const at = (n: number, rel: string): string => {
    const u = new URL(url);
    u.searchParams.set('page', String(n));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const parts: string[] = [];
  if (page > 1) parts.push(at(page - 1, 'prev'));
  if (page < last) parts.push(at(page + 1, 'next'), at(last, 'last'));
  if (page > 1) parts.push(at(1, 'first'));
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** A paginated JSON array reply. */
export function listReply<T>(all: T[], ctx: RouteContext): Reply {
  const { items, headers } = paginate(all, ctx);
  return { status: 200, body: items, headers };
}

/** Reads a string property of the request body, or fails with 422 as GitHub does. */
export function requireString(body: Record<string, unknown>, field: string, resource: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') {
    throw validationFailed({ resource, code: 'missing_field', field });
  }
  return v;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  return typeof v === 'string' ? v : undefined;
}
