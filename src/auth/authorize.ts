// Who may start Pilot. The SENDER of the event (who labeled, commented, reviewed; for a dispatch, the
// original sender it carries) must reach `min-permission`, read from `user.permissions` of the
// collaborator-permission endpoint — never from the legacy `permission` field, which reports maintain
// as "write" and triage as "read". Bots are refused unless listed by exact login and typed `Bot`.
import type { Actor } from '../events/intent.js';
import { isGitHubLogin, sameLogin } from '../events/login.js';

export type PermissionLevel = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

/** `user.permissions` as GitHub returns it (triage/maintain may be absent on older servers). */
export interface UserPermissions {
  admin: boolean;
  maintain: boolean;
  push: boolean;
  triage: boolean;
  pull: boolean;
}

/** Resolves a login's permissions on the repository; null means none (404/403: not a collaborator). */
export type PermissionLookup = (login: string) => Promise<UserPermissions | null>;

export interface AuthPolicy {
  minPermission: 'write' | 'maintain' | 'admin';
  /** Users allowed regardless of permission (never matches a `[bot]` login). */
  allowUsers: string[];
  /** Users refused regardless of permission; wins over everything. */
  denyUsers: string[];
  /** Bot logins (e.g. `renovate[bot]`) allowed when the sender's type is `Bot`; exact match only. */
  allowBots: string[];
  /**
   * Pilot's own login: it never authorizes a trigger, whatever the payload's `type` says (with the
   * default token every workflow in the repository acts as this identity).
   */
  pilotLogin?: string;
}

export interface AuthDecision {
  allowed: boolean;
  /** One line for the log, naming who and why. */
  reason: string;
  level: PermissionLevel;
}

const RANK: Record<PermissionLevel, number> = {
  none: 0,
  read: 1,
  triage: 2,
  write: 3,
  maintain: 4,
  admin: 5,
};

const BOT_SUFFIX = '[bot]';

/** The highest level the permission flags grant (write = push). */
export function levelOf(permissions: UserPermissions | null): PermissionLevel {
  if (!permissions) return 'none';
  if (permissions.admin === true) return 'admin';
  if (permissions.maintain === true) return 'maintain';
  if (permissions.push === true) return 'write';
  if (permissions.triage === true) return 'triage';
  if (permissions.pull === true) return 'read';
  return 'none';
}

/** GitHub logins compare case-insensitively, and only as whole strings. */
function listed(list: readonly string[], login: string): boolean {
  const wanted = login.toLowerCase();
  return list.some((entry) => entry.trim().toLowerCase() === wanted);
}

function isBotLogin(login: string): boolean {
  return login.toLowerCase().endsWith(BOT_SUFFIX);
}

function refuse(reason: string, level: PermissionLevel = 'none'): AuthDecision {
  return { allowed: false, reason, level };
}

async function authorizeBot(
  actor: Actor,
  policy: AuthPolicy,
  lookup: PermissionLookup,
): Promise<AuthDecision> {
  if (!listed(policy.allowBots, actor.login)) return refuse(`bot ${actor.login} is not listed in allow-bots`);
  const level = levelOf(await lookup(actor.login));
  return { allowed: true, reason: `bot ${actor.login} is listed in allow-bots`, level };
}

export async function authorize(
  actor: Actor,
  policy: AuthPolicy,
  lookup: PermissionLookup,
): Promise<AuthDecision> {
  const login: string = typeof actor?.login === 'string' ? actor.login : '';
  if (login === '') return refuse('the event names no sender');
  // Never normalised: ` mona` or `mo\u200Bna` is not mona.
  if (!isGitHubLogin(login))
    return refuse(`sender ${JSON.stringify(login.slice(0, 60))} is not a valid GitHub login`);
  if (policy.pilotLogin && sameLogin(login, policy.pilotLogin)) {
    return refuse(`${login} is Pilot's own identity, which never authorizes a trigger`);
  }
  if (listed(policy.denyUsers, login)) return refuse(`${login} is listed in deny-users`);
  if (actor.type === 'Bot') return authorizeBot(actor, policy, lookup);
  // A `[bot]` login on a non-Bot account is a look-alike (real user logins cannot contain brackets):
  // it gets neither the bot allowance nor allow-users, only whatever permission GitHub reports.
  const level = levelOf(await lookup(login));
  if (!isBotLogin(login) && listed(policy.allowUsers, login)) {
    return { allowed: true, reason: `${login} is listed in allow-users`, level };
  }
  if (RANK[level] >= RANK[policy.minPermission]) {
    return {
      allowed: true,
      reason: `${login} has ${level} permission (needs ${policy.minPermission})`,
      level,
    };
  }
  return refuse(`${login} has ${level} permission; Pilot needs ${policy.minPermission}`, level);
}
