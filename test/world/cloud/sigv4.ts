// AWS Signature Version 4, checked the way AWS checks it, written from the specification with
// node:crypto only, so it is independent of the signing library the gateway uses (aws4).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface AwsTestKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedRequest {
  method: string;
  /** The path and query exactly as they arrived on the wire. */
  rawPath: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Expected {
  keys: AwsTestKeys;
  region: string;
  service: string;
  now?: number;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** AWS's UriEncode: every byte but the unreserved characters as %XX, uppercase. */
function uriEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const c = String.fromCharCode(byte);
      return /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

/** Non-S3 services encode each path segment of the path as sent once more (so `%3A` becomes `%253A`). */
function canonicalUri(wirePath: string): string {
  return wirePath
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .map((pair) => pair.split('=').map((part) => uriEncode(decodeURIComponent(part ?? ''))))
    .map(([k, v = '']) => `${k}=${v}`)
    .sort()
    .join('&');
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ');
}

/** Why the request's signature is not valid, or undefined when AWS would accept it. */
export function sigV4Refusal(req: SignedRequest, expected: Expected): string | undefined {
  const auth = AUTH.exec(String(req.headers.authorization ?? ''));
  if (!auth) return 'missing or malformed Authorization header';
  const [, keyId, date, region, service, signedList, signature] = auth;
  if (keyId !== expected.keys.accessKeyId) return 'unknown access key';
  if (region !== expected.region || service !== expected.service) return 'wrong credential scope';
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(date)) return 'bad x-amz-date';
  const at = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs((expected.now ?? Date.now()) - at) > 5 * 60_000) return 'signature too old';
  const signed = signedList.split(';');
  for (const name of ['host', 'x-amz-date']) if (!signed.includes(name)) return `${name} is not signed`;
  if (expected.keys.sessionToken !== undefined) {
    if (!signed.includes('x-amz-security-token')) return 'x-amz-security-token is not signed';
    if (req.headers['x-amz-security-token'] !== expected.keys.sessionToken) return 'wrong session token';
  }
  const [wirePath, query = ''] = req.rawPath.split('?', 2);
  const canonical = [
    req.method,
    canonicalUri(wirePath),
    canonicalQuery(query),
    signed.map((name) => `${name}:${headerValue(req.headers, name)}\n`).join(''),
    signedList,
    sha256(req.body),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${expected.keys.secretAccessKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const mine = Buffer.from(createHmac('sha256', key).update(toSign).digest('hex'));
  const theirs = Buffer.from(signature);
  return mine.length === theirs.length && timingSafeEqual(mine, theirs) ? undefined : 'signature mismatch';
}
