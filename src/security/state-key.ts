// Pilot's state (the tracking comment's marker, queued notes, its own dispatches) is authenticated with
// an HMAC keyed by the `pilot-state-key` secret. With the default GITHUB_TOKEN every workflow in the
// repository writes as `github-actions[bot]`, and the agent's text reaches Pilot's comments, so "written
// by Pilot's login" proves nothing: only a valid MAC does. A MAC binds what it covers to its purpose,
// the repository and (for markers and notes) the issue, so a marker copied from another issue or
// repository does not verify either.
import { createHmac, timingSafeEqual } from 'node:crypto';

// 'ticket': the link from an issue Pilot opened to a tracker's ticket (src/state/ticket-link.ts).
export type SealPurpose =
  | 'task'
  | 'queued'
  | 'dispatch'
  | 'dashboard'
  | 'memory'
  | 'ops-incident'
  | 'ledger'
  | 'epic'
  | 'ticket';

/** What `sign`/`verify` need: the purpose, and the issue for per-issue state. */
export interface SealScope {
  purpose: SealPurpose;
  issue?: number;
}

export interface StateSeal {
  /** Hex HMAC-SHA256 of `text` under the current key. */
  sign(scope: SealScope, text: string): string;
  /** True when `mac` is the MAC of `text` under the current or the previous key. */
  verify(scope: SealScope, text: string, mac: string): boolean;
}

/** The input names and the repository secret the error points at. */
export const STATE_KEY_INPUT = 'pilot-state-key';
export const STATE_KEY_PREVIOUS_INPUT = 'pilot-state-key-previous';
const MIN_KEY_LENGTH = 32;

export class MissingStateKey extends Error {
  constructor(problem: string) {
    super(
      `${problem}. Pilot authenticates its state (tracking comment markers, queued requests, its own ` +
        `dispatches) with this key, and every Pilot job needs it (gate, route, run, sweep). Create one with ` +
        '`openssl rand -hex 32`, store it as the repository secret `PILOT_STATE_KEY` (Settings → Secrets ' +
        `and variables → Actions), and pass it to every Pilot step as \`${STATE_KEY_INPUT}: \${{ ` +
        'secrets.PILOT_STATE_KEY }}` (the reusable workflow takes it as the secret `pilot-state-key`). To ' +
        `rotate it, move the old value to \`${STATE_KEY_PREVIOUS_INPUT}\` for a while.`,
    );
    this.name = 'MissingStateKey';
  }
}

function checkKey(name: string, key: string): void {
  if (key.length < MIN_KEY_LENGTH)
    throw new MissingStateKey(
      `The input ${name} is too short (${key.length} characters; at least ${MIN_KEY_LENGTH})`,
    );
}

function macOf(key: string, repository: string, scope: SealScope, text: string): Buffer {
  const head = `pilot-state-v1\0${scope.purpose}\0${repository.toLowerCase()}\0${scope.issue ?? ''}\0`;
  return createHmac('sha256', key).update(head).update(text).digest();
}

function sameMac(expected: Buffer, mac: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(mac)) return false;
  return timingSafeEqual(expected, Buffer.from(mac, 'hex'));
}

/**
 * The seal for one repository. Throws MissingStateKey (a message that says how to create the secret)
 * when the key is absent or too short to be a real secret.
 */
export function stateSeal(
  keys: { current: string | undefined; previous?: string | undefined },
  repository: string,
): StateSeal {
  const current = keys.current ?? '';
  if (current === '') throw new MissingStateKey(`The input ${STATE_KEY_INPUT} is not set`);
  checkKey(STATE_KEY_INPUT, current);
  const previous = keys.previous || undefined;
  if (previous) checkKey(STATE_KEY_PREVIOUS_INPUT, previous);
  const all = previous ? [current, previous] : [current];
  return {
    sign: (scope, text) => macOf(current, repository, scope, text).toString('hex'),
    verify: (scope, text, mac) => all.some((key) => sameMac(macOf(key, repository, scope, text), mac)),
  };
}
