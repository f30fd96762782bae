import { describe, expect, it } from 'vitest';
import {
  type AuthPolicy,
  authorize,
  type PermissionLookup,
  type UserPermissions,
} from '../../src/auth/authorize.js';
import type { Actor } from '../../src/events/intent.js';

const NONE: UserPermissions = { admin: false, maintain: false, push: false, triage: false, pull: false };
const READ: UserPermissions = { ...NONE, pull: true };
const TRIAGE: UserPermissions = { ...READ, triage: true };
const WRITE: UserPermissions = { ...TRIAGE, push: true };
const MAINTAIN: UserPermissions = { ...WRITE, maintain: true };
const ADMIN: UserPermissions = { ...MAINTAIN, admin: true };

/** An in-memory PermissionLookup: logins not in the table are not collaborators (404). */
function tableLookup(table: Record<string, UserPermissions>): PermissionLookup & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (login: string) => {
    asked.push(login);
    return table[login.toLowerCase()] ?? null;
  };
  return Object.assign(lookup, { asked });
}

const policy = (overrides: Partial<AuthPolicy> = {}): AuthPolicy => ({
  minPermission: 'write',
  allowUsers: [],
  denyUsers: [],
  allowBots: [],
  ...overrides,
});

const user = (login: string): Actor => ({ login, id: 1, type: 'User' });
const bot = (login: string): Actor => ({ login, id: 2, type: 'Bot' });

describe('authorize by permission level', () => {
  const table = tableLookup({
    ada: ADMIN,
    max: MAINTAIN,
    wes: WRITE,
    tri: TRIAGE,
    rea: READ,
    nil: NONE,
    // The legacy field would say "write" for a maintainer and "read" for triage; only flags count here.
    // A partial shape (older servers omit maintain/triage) still reads as write.
    old: { admin: false, push: true, pull: true } as UserPermissions,
  });
  const rows: Array<[string, AuthPolicy['minPermission'], boolean, string]> = [
    ['ada', 'write', true, 'admin'],
    ['max', 'write', true, 'maintain'],
    ['wes', 'write', true, 'write'],
    ['tri', 'write', false, 'triage'],
    ['rea', 'write', false, 'read'],
    ['nil', 'write', false, 'none'],
    ['stranger', 'write', false, 'none'],
    ['old', 'write', true, 'write'],
    ['wes', 'maintain', false, 'write'],
    ['max', 'maintain', true, 'maintain'],
    ['ada', 'maintain', true, 'admin'],
    ['max', 'admin', false, 'maintain'],
    ['ada', 'admin', true, 'admin'],
  ];
  it.each(rows)('%s with min-permission %s: allowed=%s (level %s)', async (login, min, allowed, level) => {
    const decision = await authorize(user(login), policy({ minPermission: min }), table);
    expect(decision).toMatchObject({ allowed, level });
    expect(decision.reason).toContain(login);
  });

  it('refuses a user whose legacy permission says write but whose flags do not', async () => {
    // What GitHub returns for a triage user: permission "read"; a lying proxy could say "write".
    // The lookup contract carries only the flags, so the legacy field cannot be consulted.
    const lookup: PermissionLookup = async () => ({ ...TRIAGE, permission: 'write' }) as UserPermissions;
    const decision = await authorize(user('liar'), policy(), lookup);
    expect(decision.allowed).toBe(false);
    expect(decision.level).toBe('triage');
  });

  it('explains a refusal with the level found and the level needed', async () => {
    const decision = await authorize(user('rea'), policy(), table);
    expect(decision.reason).toBe('rea has read permission; Pilot needs write');
  });
});

describe('authorize with allow and deny lists', () => {
  const table = tableLookup({ ada: ADMIN, rea: READ });

  it('refuses a denied admin without asking GitHub', async () => {
    const lookup = tableLookup({ ada: ADMIN });
    const decision = await authorize(user('Ada'), policy({ denyUsers: ['ada'] }), lookup);
    expect(decision).toMatchObject({ allowed: false, reason: 'Ada is listed in deny-users' });
    expect(lookup.asked).toEqual([]);
  });

  it('lets deny-users win over allow-users', async () => {
    const decision = await authorize(user('rea'), policy({ allowUsers: ['rea'], denyUsers: ['REA'] }), table);
    expect(decision.allowed).toBe(false);
  });

  it('lets allow-users extend to a reader', async () => {
    const decision = await authorize(user('REA'), policy({ allowUsers: ['rea'] }), table);
    expect(decision).toMatchObject({ allowed: true, level: 'read', reason: 'REA is listed in allow-users' });
  });

  it('matches allow-users by whole login only', async () => {
    expect((await authorize(user('rea2'), policy({ allowUsers: ['rea'] }), table)).allowed).toBe(false);
    expect((await authorize(user('re'), policy({ allowUsers: ['rea'] }), table)).allowed).toBe(false);
  });

  it('refuses an event without a sender login', async () => {
    expect(await authorize(user(''), policy(), table)).toMatchObject({
      allowed: false,
      reason: 'the event names no sender',
    });
  });

  it.each([
    ['surrounding whitespace', ' ada '],
    ['a trailing newline', 'ada\n'],
    ['a zero-width space', 'a\u200Bda'],
    ['a soft hyphen', 'a\u00ADda'],
    ['a control character', 'a\u0007da'],
    ['a right-to-left override', '\u202Eada'],
    ['a fullwidth letter', 'ａda'],
  ])('refuses a login with %s instead of normalising it into another account', async (_what, login) => {
    const decision = await authorize(user(login), policy({ allowUsers: ['ada'] }), table);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toMatch(/not a valid GitHub login/);
  });

  it("never lets Pilot's own identity authorize a trigger, whatever type the payload claims", async () => {
    const pilotLogin = 'github-actions[bot]';
    for (const type of ['Bot', 'User', 'Organization']) {
      const decision = await authorize(
        { login: pilotLogin, id: 41898282, type },
        policy({ allowBots: [pilotLogin], allowUsers: [pilotLogin], pilotLogin }),
        table,
      );
      expect(decision, type).toMatchObject({ allowed: false });
      expect(decision.reason).toContain("Pilot's own identity");
    }
  });
});

describe('authorize bots', () => {
  const table = tableLookup({ 'renovate[bot]': WRITE, 'pilot-bot': NONE, 'evil[bot]': NONE });
  const allowRenovate = policy({ allowBots: ['renovate[bot]'] });

  it('refuses a bot that is not listed even with write permission', async () => {
    const decision = await authorize(bot('renovate[bot]'), policy(), table);
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'bot renovate[bot] is not listed in allow-bots',
    });
  });

  it('allows a listed bot typed Bot, case-insensitively', async () => {
    const decision = await authorize(bot('Renovate[bot]'), allowRenovate, table);
    expect(decision).toMatchObject({ allowed: true, reason: 'bot Renovate[bot] is listed in allow-bots' });
  });

  it('refuses a bot whose login only starts with a listed login', async () => {
    expect((await authorize(bot('renovate[bot]x'), allowRenovate, table)).allowed).toBe(false);
    expect((await authorize(bot('renovate'), allowRenovate, table)).allowed).toBe(false);
    expect((await authorize(bot('xrenovate[bot]'), allowRenovate, table)).allowed).toBe(false);
  });

  it('never allows a bot by its [bot] suffix alone', async () => {
    const decision = await authorize(bot('dependabot[bot]'), policy({ allowBots: ['[bot]'] }), table);
    expect(decision.allowed).toBe(false);
  });

  it('gives no bot allowance to a User claiming a listed bot login', async () => {
    const decision = await authorize(user('renovate[bot]'), allowRenovate, tableLookup({}));
    expect(decision).toMatchObject({ allowed: false, level: 'none' });
  });

  it('gives no allow-users entry to a User typed with a [bot] login', async () => {
    const decision = await authorize(user('evil[bot]'), policy({ allowUsers: ['evil[bot]'] }), table);
    expect(decision.allowed).toBe(false);
  });

  it('treats a User named like a bot (pilot-bot) as a user with its own permission', async () => {
    const decision = await authorize(user('pilot-bot'), policy({ allowBots: ['pilot-bot'] }), table);
    expect(decision).toMatchObject({ allowed: false, level: 'none' });
  });

  it('refuses a listed bot when it is also denied', async () => {
    const decision = await authorize(
      bot('renovate[bot]'),
      { ...allowRenovate, denyUsers: ['renovate[bot]'] },
      table,
    );
    expect(decision.allowed).toBe(false);
  });
});

describe('authorize when the lookup fails', () => {
  it('passes on errors other than "no permission" so the run fails loudly', async () => {
    const lookup: PermissionLookup = async () => {
      throw new Error('GitHub answered 500');
    };
    await expect(authorize(user('ada'), policy(), lookup)).rejects.toThrow('GitHub answered 500');
  });
});
