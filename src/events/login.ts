// A login is compared as GitHub spells it, never "cleaned up": trimming whitespace or dropping a
// zero-width or control character would turn one account's name into another's (`" mona"`, `"mo\u200Bna"`
// → `mona`). So a login that is not a valid GitHub login is refused outright.

/** Letters, digits, `-` (and `_` for managed users); GitHub App bots end in `[bot]`. ASCII only. */
export const GITHUB_LOGIN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}(?:\[bot\])?$/;

export function isGitHubLogin(login: unknown): boolean {
  return typeof login === 'string' && GITHUB_LOGIN.test(login);
}

/** GitHub logins compare case-insensitively, and only as whole strings. */
export function sameLogin(a: string | undefined | null, b: string | undefined | null): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
}
