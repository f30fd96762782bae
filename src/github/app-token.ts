// Which token Pilot writes with. With `app-id` + `app-private-key` Pilot mints GitHub App
// installation tokens itself: they live one hour and cannot be refreshed, so a long job would die at
// its final push; Pilot mints a fresh one before any request once the current one is 50 minutes old.
// Otherwise it uses the token it was given (the workflow's GITHUB_TOKEN, or a token from elsewhere).
import { createAppAuth } from '@octokit/auth-app';
import { messageOf } from '../errors.js';
import { registerSecret } from '../security/redact.js';
import type { Repo } from './client.js';
import { limitedOctokit, type Octokit } from './rate-limits.js';

export const REMINT_AFTER_MS = 50 * 60_000;

export interface TokenProvider {
  /** `app`: minted installation tokens; `given`: the `github-token` input as is. */
  readonly kind: 'app' | 'given';
  /** The current token; an App token older than 50 minutes is replaced first. */
  token(): Promise<string>;
}

export function givenToken(token: string): TokenProvider {
  return { kind: 'given', token: async () => token };
}

/** Installation permission name → access, as `POST /app/installations/{id}/access_tokens` takes them. */
export type AppPermissions = Record<string, 'read' | 'write'>;

/**
 * Only what Pilot calls (SECURITY.md, "Minimal permissions:"): an App installed with more (secrets,
 * administration, workflows) still hands Pilot a token that can do no more than this.
 */
export const PILOT_APP_PERMISSIONS: Readonly<AppPermissions> = {
  contents: 'write', // branches, push, lease refs, repository_dispatch
  issues: 'write', // tracking comment, replies, reactions, labels
  pull_requests: 'write', // open and update Pilot's PRs
  actions: 'write', // `/pilot cancel`, run status, job logs for CI follow-ups
  checks: 'read', // CI follow-ups
  metadata: 'read',
};

/**
 * The permissions to request: Pilot's own, plus `workflows: write` only when `protected-paths`
 * explicitly allows a workflow file (`!.github/workflows/…`): GitHub refuses such a push without it.
 */
export function appPermissionsFor(protectedPaths: readonly string[] = []): AppPermissions {
  const allowsWorkflows = protectedPaths.some((p) => /^!\s*(?:\.\/)?\.github\/workflows\b/i.test(p.trim()));
  return allowsWorkflows ? { ...PILOT_APP_PERMISSIONS, workflows: 'write' } : { ...PILOT_APP_PERMISSIONS };
}

export interface AppTokenOptions {
  appId: string;
  privateKey: string;
  repo: Repo;
  /** Defaults to PILOT_APP_PERMISSIONS. */
  permissions?: AppPermissions;
  now?: () => number;
  /** An Octokit authenticated with a token or JWT (tests point it at the emulator). */
  octokitFor?: (token: string) => Octokit;
}

/** The JWT-authenticated calls: find the repository's installation, mint a token scoped to that repository. */
async function mint(opts: AppTokenOptions): Promise<string> {
  const appAuth = createAppAuth({ appId: opts.appId, privateKey: opts.privateKey });
  const { token: jwt } = await appAuth({ type: 'app' });
  registerSecret(jwt);
  // @octokit/auth-token sends a three-part token (a JWT) as `Authorization: bearer …`.
  const asApp = (opts.octokitFor ?? defaultOctokit)(jwt);
  const { data: installation } = await asApp.rest.apps.getRepoInstallation({ ...opts.repo });
  const { data } = await asApp.rest.apps.createInstallationAccessToken({
    installation_id: installation.id,
    repositories: [opts.repo.repo],
    permissions: opts.permissions ?? { ...PILOT_APP_PERMISSIONS },
  });
  registerSecret(data.token);
  return data.token;
}

function defaultOctokit(token: string): Octokit {
  return limitedOctokit(token, process.env.GITHUB_API_URL ? { baseUrl: process.env.GITHUB_API_URL } : {});
}

export function appTokenProvider(opts: AppTokenOptions): TokenProvider {
  const now = opts.now ?? Date.now;
  let current: { token: string; at: number } | undefined;
  let pending: Promise<string> | undefined;
  const refresh = async () => {
    const at = now();
    const token = await mint(opts);
    current = { token, at };
    return token;
  };
  return {
    kind: 'app',
    async token() {
      if (current && now() - current.at < REMINT_AFTER_MS) return current.token;
      // One mint at a time: parallel requests share it.
      pending ??= refresh().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

export class AppTokenError extends Error {
  constructor(cause: unknown) {
    const status = (cause as { status?: number }).status;
    const hint =
      status === 404
        ? 'the App is not installed on this repository (install it, or check app-id)'
        : status === 401
          ? 'GitHub did not accept the App JWT (check app-id and app-private-key belong together)'
          : status === 422
            ? `the App's installation lacks a permission Pilot needs (${messageOf(cause)}); grant ${Object.keys(PILOT_APP_PERMISSIONS).join(', ')}`
            : messageOf(cause);
    super(`Could not mint a GitHub App installation token: ${hint}`);
    this.name = 'AppTokenError';
  }
}

/** The provider the configuration asks for; an App token is minted now, so a bad key fails early. */
export async function tokenProviderFor(
  config: { githubToken?: string; appId?: string; appPrivateKey?: string; protectedPaths?: string[] },
  repo: Repo,
  opts: Pick<AppTokenOptions, 'now' | 'octokitFor'> = {},
): Promise<TokenProvider> {
  if (config.appId && config.appPrivateKey) {
    const provider = appTokenProvider({
      appId: config.appId,
      privateKey: config.appPrivateKey,
      repo,
      permissions: appPermissionsFor(config.protectedPaths),
      ...opts,
    });
    await provider.token().catch((error: unknown) => {
      throw new AppTokenError(error);
    });
    return provider;
  }
  if (!config.githubToken)
    throw new Error(
      'input github-token is empty: pass the workflow token (github.token) or a GitHub App token',
    );
  return givenToken(config.githubToken);
}

type Endpoint = Record<string, unknown> & { headers: Record<string, string> };
type RequestFn = ((endpoint: Endpoint) => Promise<unknown>) & {
  endpoint: { merge: (route: unknown, parameters?: unknown) => Endpoint };
};

/** An Octokit `authStrategy` that asks the provider for the token on every request. */
export function authStrategyFor(provider: TokenProvider) {
  return () => {
    const auth = async () => ({
      type: 'token',
      tokenType: provider.kind === 'app' ? 'installation' : 'oauth',
      token: await provider.token(),
    });
    const hook = async (request: RequestFn, route: unknown, parameters?: unknown) => {
      const endpoint = request.endpoint.merge(route, parameters);
      endpoint.headers.authorization = `token ${await provider.token()}`;
      return request(endpoint);
    };
    return Object.assign(auth, { hook });
  };
}

/**
 * What a maintainer should know when Pilot's PR was opened with the workflow's own GITHUB_TOKEN
 * (shown in the tracking comment, which is the task's one place for notes).
 */
export function defaultTokenNote(opts: { tokens?: TokenProvider; botLogin: string }): string | undefined {
  if (opts.tokens?.kind === 'app' || opts.botLogin !== 'github-actions[bot]') return undefined;
  return (
    "**CI note:** this pull request was opened with the workflow's `GITHUB_TOKEN`, so its workflow runs wait " +
    "for a maintainer's approval and merging it starts no `push` workflows. To have CI run on its own, " +
    'install a GitHub App and pass `app-id` and `app-private-key` to Pilot (see SECURITY.md, "Tokens").'
  );
}
