// The generic webhook's signature: HMAC-SHA256 under webhook-secret over `<timestamp>.<body>`, sent
// as `X-Pilot-Signature: sha256=<hex>` with `X-Pilot-Timestamp: <unix seconds>`. The timestamp is
// inside the signed text, so a receiver that also rejects timestamps outside a replay window refuses
// both a forged body and an old delivery replayed (docs/notifications.md shows a receiver).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-pilot-signature';
export const TIMESTAMP_HEADER = 'x-pilot-timestamp';
/** Seconds a receiver accepts a delivery after (or before, for clock skew) its timestamp. */
export const REPLAY_WINDOW_SECONDS = 300;

export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type Verified = { ok: true } | { ok: false; reason: string };

/**
 * What a receiver does (and Pilot's tests do): recompute the signature over the raw body, compare in
 * constant time, and refuse a timestamp outside the window.
 */
export function verifySignature(
  secret: string,
  headers: { signature?: string; timestamp?: string },
  rawBody: string,
  nowSeconds: number,
  windowSeconds = REPLAY_WINDOW_SECONDS,
): Verified {
  const ts = Number(headers.timestamp);
  if (!headers.timestamp || !/^\d{1,12}$/.test(headers.timestamp))
    return { ok: false, reason: 'no timestamp' };
  if (Math.abs(nowSeconds - ts) > windowSeconds) return { ok: false, reason: 'timestamp outside the window' };
  const expected = Buffer.from(signature(secret, ts, rawBody));
  const given = Buffer.from(headers.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
