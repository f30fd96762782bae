// One redaction function for every text Pilot publishes (comments, PR body, summary, logs, outputs).
import { knownSecrets } from '../secrets.js';

// Registering lives in the leaf src/secrets.ts (config registers secret inputs as it reads them).
export { knownSecrets, registerSecret, resetSecrets } from '../secrets.js';

export const PATTERNS: RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{20,}\b/g,
  /\bsk-ant-[A-Za-z0-9_-]{10,}\b/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets()) out = out.split(secret).join('***');
  for (const pattern of PATTERNS) out = out.replace(pattern, '***');
  return out;
}

/** Request parameters that become text on GitHub (comment and PR bodies, titles, commit messages). */
const PUBLISHED_FIELDS = ['body', 'title', 'message', 'description', 'summary', 'text'] as const;

/**
 * An Octokit `before request` hook: every write Pilot sends to GitHub passes `redact()`, so a new call
 * site cannot forget it.
 */
export function redactRequest(options: Record<string, unknown>): void {
  if (String(options.method ?? 'GET').toUpperCase() === 'GET') return;
  for (const field of PUBLISHED_FIELDS) {
    const value = options[field];
    if (typeof value === 'string') options[field] = redact(value);
  }
}
