// The link from a GitHub issue Pilot opened to a tracker's ticket: a hidden marker at the end of the
// issue's body, authenticated for that issue (HMAC under pilot-state-key, purpose `ticket`). Anyone can
// paste a marker into an issue they open, so a link counts only when the issue's author is Pilot AND
// its MAC verifies for that issue number: an outsider's issue carrying a copied or forged marker is
// never adopted (a new issue is opened instead; the outsider's stays untouched).
import { z } from 'zod';
import { TICKET_KEY, TRACKER_SOURCES } from '../events/tracker-task.js';
import type { StateSeal } from '../security/state-key.js';

const PREFIX = '<!-- pilot:ticket ';
const MAC_SEPARATOR = ' mac:';

export const TicketLink = z.strictObject({
  source: z.enum(TRACKER_SOURCES),
  key: z.string().regex(TICKET_KEY),
  url: z.string().max(500),
});
export type TicketLink = z.infer<typeof TicketLink>;

/** The hidden marker for `issue`'s body. */
export function ticketMarker(link: TicketLink, issue: number, seal: StateSeal): string {
  const json = JSON.stringify({ source: link.source, key: link.key, url: link.url }).replace(/>/g, '\\u003e');
  const mac = seal.sign({ purpose: 'ticket', issue }, json);
  return `${PREFIX}${json}${MAC_SEPARATOR}${mac} -->`;
}

export interface LinkedIssue {
  number: number;
  body?: string | null;
  user?: { login: string } | null;
}

/** The issue's authenticated ticket link, or null (no marker, not Pilot's issue, or a MAC that fails). */
export function readTicketLink(issue: LinkedIssue, pilotLogin: string, seal: StateSeal): TicketLink | null {
  if ((issue.user?.login ?? '').toLowerCase() !== pilotLogin.toLowerCase()) return null;
  const body = issue.body ?? '';
  const start = body.lastIndexOf(PREFIX);
  const end = start < 0 ? -1 : body.indexOf(' -->', start);
  if (end < 0) return null;
  const raw = body.slice(start + PREFIX.length, end);
  const cut = raw.lastIndexOf(MAC_SEPARATOR);
  if (cut < 0) return null;
  const json = raw.slice(0, cut);
  if (!seal.verify({ purpose: 'ticket', issue: issue.number }, json, raw.slice(cut + MAC_SEPARATOR.length)))
    return null;
  try {
    const parsed = TicketLink.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
