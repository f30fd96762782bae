// Runtime tokens for the cache emulator. The real ACTIONS_RUNTIME_TOKEN is a JWT whose `ac` claim is a
// JSON string listing cache scopes with permission bits (1 = read, 2 = write), own ref first, e.g.
// `[{"Scope":"refs/pull/3/merge","Permission":3},{"Scope":"refs/heads/main","Permission":1}]`.
// We issue the same shape, signed with a per-service secret so a forged or foreign token gets 401.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What the run may do with the cache: what `ACTIONS_CACHE_MODE` names on a real runner. */
export type CacheTokenMode = 'read' | 'write' | 'write-only' | 'none';

export interface TokenRequest {
  /** The run's own ref, e.g. `refs/heads/main` or `refs/pull/3/merge`. */
  ref: string;
  /** The repository's default branch; its entries are readable from every ref. */
  defaultRef?: string;
  mode: CacheTokenMode;
}

export interface CacheScope {
  Scope: string;
  Permission: number;
}

export const READ = 1;
export const WRITE = 2;
export const DEFAULT_REF = 'refs/heads/main';

const PERMISSION: Record<CacheTokenMode, number> = {
  none: 0,
  read: READ,
  write: READ | WRITE,
  'write-only': WRITE,
};

const scopeList = z.array(z.object({ Scope: z.string().min(1), Permission: z.number().int() }));
const claims = z.object({ ac: z.string() });

/** The scopes a run on `ref` gets: its own ref with the mode's bits, the default branch read-only. */
export function scopesFor(req: TokenRequest): CacheScope[] {
  const defaultRef = req.defaultRef ?? DEFAULT_REF;
  const bits = PERMISSION[req.mode];
  const scopes: CacheScope[] = [{ Scope: req.ref, Permission: bits }];
  // A run may read the default branch's entries but never write into its scope from another ref.
  if (req.ref !== defaultRef) scopes.push({ Scope: defaultRef, Permission: bits & READ });
  return scopes;
}

export function readableScopes(scopes: CacheScope[]): string[] {
  return scopes.filter((s) => (s.Permission & READ) !== 0).map((s) => s.Scope);
}

/** The scope a save lands in: the first writable one, which is always the run's own ref. */
export function writableScope(scopes: CacheScope[]): string | undefined {
  return scopes.find((s) => (s.Permission & WRITE) !== 0)?.Scope;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export class TokenIssuer {
  readonly #secret = randomBytes(32);

  constructor(private readonly now: () => number) {}

  issue(req: TokenRequest): string {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }));
    const payload = b64url(
      JSON.stringify({
        iss: 'pilot-local-cache',
        iat: Math.floor(this.now() / 1000),
        ac: JSON.stringify(scopesFor(req)),
      }),
    );
    return `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`;
  }

  /** The token's scopes, or undefined when the token was not issued by this service. */
  verify(token: string): CacheScope[] | undefined {
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) return undefined;
    const expected = Buffer.from(this.#sign(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    const parsed = claims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const scopes = scopeList.safeParse(JSON.parse(parsed.data.ac));
    return scopes.success ? scopes.data : undefined;
  }

  #sign(input: string): string {
    return createHmac('sha256', this.#secret).update(input).digest('base64url');
  }
}
