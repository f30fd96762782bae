// A `pilot-task` repository_dispatch: a ticket from Jira, Linear or another tracker (docs/trackers.md).
// Whoever holds a token that can dispatch can send one, so every field is bounded and typed, the key
// matched by a strict pattern (it ends up in an issue title and an authenticated marker), and the
// ticket's text is untrusted context: the dispatcher is the requester, authorized like any sender.
import { z } from 'zod';

export const TRACKER_EVENT_TYPE = 'pilot-task';
export const TRACKER_SOURCES = ['jira', 'linear', 'other'] as const;
export type TrackerSource = (typeof TRACKER_SOURCES)[number];

/** Jira `PROJ-123`, Linear `ENG-42`, or another tracker's id: letters, digits, `-`, `_`, `.`; no spaces. */
export const TICKET_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}-[0-9]{1,12}$|^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const TICKET_TITLE_MAX = 200;
export const TICKET_BODY_MAX = 20_000;

const ticketUrl = z
  .string()
  .max(500)
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), 'not an http(s) URL');

export const TrackerTaskPayload = z.strictObject({
  source: z.enum(TRACKER_SOURCES),
  key: z.string().regex(TICKET_KEY, 'not a ticket key like PROJ-123'),
  url: ticketUrl,
  title: z.string().trim().min(1).max(TICKET_TITLE_MAX),
  body: z.string().max(TICKET_BODY_MAX).default(''),
  labels: z.array(z.string().trim().min(1).max(50)).max(10).optional(),
});
export type TrackerTicket = z.infer<typeof TrackerTaskPayload>;

/** One short line naming what was wrong, never echoing the (possibly huge or hostile) values. */
export function describeTrackerError(error: z.ZodError): string {
  const problems = error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  return `client_payload is not a valid ${TRACKER_EVENT_TYPE} dispatch (see docs/trackers.md): ${problems.join('; ')}`.slice(
    0,
    400,
  );
}
