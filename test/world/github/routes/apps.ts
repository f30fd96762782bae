// GitHub Apps in the emulator: an App authenticates with a JWT signed by its private key (checked
// here against the public key, RS256, `iss` = app id, at most 10 minutes of life), finds its
// installation for a repository and mints one-hour installation tokens, which then work as tokens of
// `<slug>[bot]` with the installation's permissions.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { Caller, Route, TokenPermissions } from '../http.js';
import { ApiError } from '../http.js';
import { userJson } from '../shapes.js';
import type { GitHubState, User } from '../state.js';
import { repoOf } from './lookup.js';

export interface AppInit {
  id: number;
  slug: string;
  /** PEM public key matching the private key the App signs its JWTs with. */
  publicKey: string;
  /** Owners (users or organisations) the App is installed on; all their repositories. */
  installedOn: string[];
  permissions?: TokenPermissions;
}

interface AppRecord extends AppInit {
  key: KeyObject;
  bot: User;
  installations: Map<string, number>;
}

interface MintedToken {
  caller: Caller;
  expiresAt: number;
}

interface Registry {
  apps: Map<number, AppRecord>;
  jwtCallers: WeakMap<Caller, AppRecord>;
  tokens: Map<string, MintedToken>;
  /** Every token minted, in order (tests count re-mints), with the permissions it carries. */
  minted: Array<{
    appId: number;
    installationId: number;
    token: string;
    expiresAt: string;
    permissions: Record<string, string>;
  }>;
}

const registries = new WeakMap<GitHubState, Registry>();

function registryOf(state: GitHubState): Registry {
  let r = registries.get(state);
  if (!r) {
    r = { apps: new Map(), jwtCallers: new WeakMap(), tokens: new Map(), minted: [] };
    registries.set(state, r);
  }
  return r;
}

const DEFAULT_PERMISSIONS: TokenPermissions = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  actions: 'write',
  checks: 'read',
  metadata: 'read',
};

export function addApp(state: GitHubState, init: AppInit): User {
  const bot = state.user(`${init.slug}[bot]`, 'Bot');
  const installations = new Map(init.installedOn.map((o) => [o.toLowerCase(), state.nextId('installation')]));
  registryOf(state).apps.set(init.id, { ...init, key: createPublicKey(init.publicKey), bot, installations });
  return bot;
}

/** Installation tokens minted so far. */
export function mintedTokens(state: GitHubState): Registry['minted'] {
  return [...registryOf(state).minted];
}

function decodePart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JWT of a registered App with a valid signature and lifetime, or an installation token it minted. */
export function authenticateApp(state: GitHubState, token: string): Caller | undefined {
  const registry = registryOf(state);
  const minted = registry.tokens.get(token);
  if (minted) return minted.expiresAt > Date.now() ? minted.caller : undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodePart(parts[0]);
  const claims = decodePart(parts[1]);
  if (header?.alg !== 'RS256' || !claims) return undefined;
  const app = registry.apps.get(Number(claims.iss));
  if (!app) return undefined;
  const signed = verify(
    'sha256',
    Buffer.from(`${parts[0]}.${parts[1]}`),
    app.key,
    Buffer.from(parts[2], 'base64url'),
  );
  const now = Math.floor(Date.now() / 1000);
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  // GitHub: exp at most 10 minutes after iat; iat may be backdated (clock drift) but not in the future.
  if (!signed || !(exp > now) || !(iat <= now + 60) || exp - iat > 600) return undefined;
  const caller: Caller = { user: app.bot, actionsToken: false };
  registry.jwtCallers.set(caller, app);
  return caller;
}

function appOf(state: GitHubState, caller: Caller): AppRecord {
  const app = registryOf(state).jwtCallers.get(caller);
  // What GitHub answers when an installation or user token calls an App-JWT endpoint.
  if (!app) throw new ApiError(401, 'A JSON web token could not be decoded');
  return app;
}

function installationJson(state: GitHubState, app: AppRecord, owner: User, id: number) {
  const api = state.apiUrl();
  const at = state.now();
  const permissions = Object.fromEntries(
    Object.entries(app.permissions ?? DEFAULT_PERMISSIONS).filter(([, v]) => v !== 'none'),
  );
  return {
    id,
    account: userJson(state, owner),
    repository_selection: 'all',
    access_tokens_url: `${api}/app/installations/${id}/access_tokens`,
    repositories_url: `${api}/installation/repositories`,
    html_url: `${state.serverUrl}/organizations/${owner.login}/settings/installations/${id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: owner.id,
    target_type: owner.type === 'Organization' ? 'Organization' : 'User',
    permissions,
    events: ['issues', 'issue_comment', 'pull_request'],
    created_at: at,
    updated_at: at,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  };
}

const RANK: Record<string, number> = { none: 0, read: 1, write: 2 };

/**
 * GitHub's `permissions` body: the token gets exactly what was asked (at most the installation's);
 * asking for more than the installation has is a 422. Without the body, the installation's own.
 */
function requestedPermissions(installed: TokenPermissions, asked: unknown): Record<string, string> {
  if (asked === undefined) return { ...installed };
  if (typeof asked !== 'object' || asked === null || Array.isArray(asked))
    throw new ApiError(422, "Invalid request.\n\nFor 'properties/permissions', it is not an object.");
  const granted: Record<string, string> = {};
  for (const [name, access] of Object.entries(asked as Record<string, unknown>)) {
    const has =
      (installed as Record<string, string | undefined>)[name] ?? (name === 'metadata' ? 'read' : 'none');
    if (typeof access !== 'string' || !(access in RANK) || RANK[access] > RANK[has])
      throw new ApiError(422, 'The permissions requested are not granted to this installation.');
    granted[name] = access;
  }
  return granted;
}

export const appRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/installation',
    handler: (ctx) => {
      const app = appOf(ctx.state, ctx.caller);
      const repo = repoOf(ctx);
      const id = app.installations.get(repo.owner.login.toLowerCase());
      if (id === undefined) throw new ApiError(404, 'Not Found');
      return { status: 200, body: installationJson(ctx.state, app, repo.owner, id) };
    },
  },
  {
    method: 'POST',
    path: '/app/installations/{installation_id}/access_tokens',
    handler: (ctx) => {
      const app = appOf(ctx.state, ctx.caller);
      const installationId = Number(ctx.params.installation_id);
      if (![...app.installations.values()].includes(installationId)) throw new ApiError(404, 'Not Found');
      const registry = registryOf(ctx.state);
      const token = `ghs_app${app.id}i${installationId}n${registry.minted.length}${'x'.repeat(20)}`;
      const expiresAt = Date.now() + 3_600_000;
      const permissions = requestedPermissions(app.permissions ?? DEFAULT_PERMISSIONS, ctx.body.permissions);
      registry.tokens.set(token, {
        caller: { user: app.bot, actionsToken: false, permissions: permissions as TokenPermissions },
        expiresAt,
      });
      const expires = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const granted = Object.fromEntries(Object.entries(permissions).filter(([, v]) => v !== 'none'));
      registry.minted.push({
        appId: app.id,
        installationId,
        token,
        expiresAt: expires,
        permissions: granted,
      });
      return {
        status: 201,
        body: { token, expires_at: expires, permissions: granted, repository_selection: 'all' },
      };
    },
  },
];
