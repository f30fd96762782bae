// Header rules of the gateway: who may use it (the per-run agent key), what the upstream gets (the
// real credential instead), and which headers belong to one connection only and must not be copied.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export type Credential = { apiKey: string } | { oauthToken: string };

/**
 * Claude Code sends this beta flag with subscription (OAuth) tokens; the API refuses a Bearer token
 * without it. The agent talks to the gateway with an API-key-style key, so the CLI leaves it out.
 */
export const OAUTH_BETA = 'oauth-2025-04-20';

/** RFC 9110 §7.6.1 connection-specific fields, plus the ones proxies conventionally drop. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The key the caller presented, either way the SDK sends one. */
function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const auth = headers.authorization;
  const bearer = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return bearer?.[1]?.trim();
}

export function carriesKey(headers: IncomingHttpHeaders, agentKey: string): boolean {
  const key = presentedKey(headers);
  return key !== undefined && sameSecret(key, agentKey);
}

/** Copies headers without the hop-by-hop ones, including any the `connection` header names. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

function withBeta(existing: OutgoingHttpHeaders[string], flag: string): string {
  const flags = String(existing ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return flags.includes(flag) ? flags.join(',') : [...flags, flag].join(',');
}

/**
 * The agent's request headers without anything of the agent's connection or key, and with
 * `accept-encoding: identity` so the usage in the answer can be read as it passes. The provider then
 * adds its own credential (withCredential, a SigV4 signature, a Google access token).
 */
export function cleanHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out = endToEnd(headers);
  delete out.host;
  delete out['x-api-key'];
  delete out.authorization;
  out['accept-encoding'] = 'identity';
  return out;
}

/** The Anthropic API's credential: an API key, or an OAuth token with the beta flag it needs. */
export function withCredential(headers: OutgoingHttpHeaders, credential: Credential): OutgoingHttpHeaders {
  const out = { ...headers };
  if ('apiKey' in credential) {
    out['x-api-key'] = credential.apiKey;
  } else {
    out.authorization = `Bearer ${credential.oauthToken}`;
    out['anthropic-beta'] = withBeta(out['anthropic-beta'], OAUTH_BETA);
  }
  return out;
}
