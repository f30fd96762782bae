// Trackers out: when the issue is one Pilot opened for a tracker's ticket (its authenticated link,
// src/state/ticket-link.ts), the run's outcome and PR link go back to that ticket. The link is read
// from the issue itself, so every run on it reports, whatever started it.
import type { TicketRef } from '../notify/index.js';
import { commentOnTicket, type SendOptions } from '../notify/index.js';
import type { Outcome } from '../report/outputs.js';
import { readTicketLink } from '../state/ticket-link.js';
import type { Deps } from './deps.js';
import type { IssueText } from './thread.js';

export interface TicketReport {
  headline: string;
  trackingUrl: string;
}

/** The words the ticket gets: what happened and where to look, no agent text beyond the headline. */
export function ticketText(issue: IssueText, outcome: Outcome, report: TicketReport): string {
  const lines = [`Pilot: ${report.headline} (GitHub issue #${issue.number}).`];
  if (outcome.prUrl) lines.push(`Pull request: ${outcome.prUrl}`);
  lines.push(`Details: ${report.trackingUrl}`);
  return lines.join('\n');
}

/** The ticket this issue is linked to, when Pilot opened it for one. */
export function ticketOf(deps: Deps, issue: IssueText): TicketRef | null {
  const link = readTicketLink(
    { number: issue.number, body: issue.body, user: issue.author },
    deps.config.botLogin,
    deps.seal,
  );
  return link && { source: link.source, key: link.key };
}

/** Posts the outcome to the linked ticket, if any; a tracker problem is a warning, never the run's failure. */
export async function reportToTicket(
  deps: Deps,
  issue: IssueText,
  outcome: Outcome,
  report: TicketReport,
  opts?: SendOptions,
): Promise<void> {
  const ticket = ticketOf(deps, issue);
  if (!ticket) return;
  await commentOnTicket(deps.config, ticket, ticketText(issue, outcome, report), opts);
}
