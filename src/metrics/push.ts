// Replaces the repository's group on a Prometheus Pushgateway: `PUT /metrics/job/pilot/repository@base64/…`
// (https://github.com/prometheus/pushgateway#url). PUT, not POST: every metric of the group is
// replaced by this push, so the group always holds exactly the ledger's totals. The repository name
// holds a "/", which a label value in the URL path may carry only base64url-encoded.
import { z } from 'zod';

export const PUSH_JOB = 'pilot';
const PUSH_TIMEOUT_MS = 10_000;

export const PushTarget = z.object({
  url: z.url({ protocol: /^https?$/ }),
  auth: z
    .union([
      z.object({ username: z.string().min(1), password: z.string().min(1) }),
      z.object({ token: z.string().min(1) }),
    ])
    .optional(),
});
export type PushTarget = z.infer<typeof PushTarget>;

/** A push the Pushgateway did not take; the message names no credential. */
export class PushFailed extends Error {}

/** The group's path under the Pushgateway's own (which may sit below a path prefix). */
export function groupUrl(base: string, repository: string, job: string = PUSH_JOB): string {
  const url = new URL(base);
  const encoded = Buffer.from(repository, 'utf8').toString('base64url');
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/metrics/job/${job}/repository@base64/${encoded}`;
  return url.toString();
}

function authorization(auth: PushTarget['auth']): Record<string, string> {
  if (!auth) return {};
  if ('token' in auth) return { authorization: `Bearer ${auth.token}` };
  const basic = Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64');
  return { authorization: `Basic ${basic}` };
}

/** What a failed answer says, short and on one line (the Pushgateway explains a refused body there). */
async function answerOf(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 300);
  return `${res.status} ${res.statusText}${text ? `: ${text}` : ''}`;
}

/** PUTs `text` as the group `{job, repository}` (job `pilot`, or `pilot_ops` for ops mode's own group); throws PushFailed with a reason on any failure. */
export async function pushGroup(
  target: PushTarget,
  repository: string,
  text: string,
  job: string = PUSH_JOB,
): Promise<void> {
  const parsed = PushTarget.safeParse(target);
  if (!parsed.success) throw new PushFailed('the Pushgateway URL is not an http(s) URL');
  const where = groupUrl(parsed.data.url, repository, job);
  let res: Response;
  try {
    res = await fetch(where, {
      method: 'PUT',
      headers: {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        ...authorization(parsed.data.auth),
      },
      body: text,
      redirect: 'error',
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
  } catch (error) {
    // fetch's own errors name the cause (refused, timed out), never the request's headers.
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new PushFailed(`could not reach ${new URL(where).origin}: ${cause}`);
  }
  if (!res.ok) throw new PushFailed(`${new URL(where).origin} answered ${await answerOf(res)}`);
}
