// A tracker's ticket becomes a GitHub issue: the one Pilot already opened for its key (found by the
// authenticated link in its body, src/state/ticket-link.ts), updated with the ticket's latest text, or a
// new one (title prefixed with the key, body linking back). Then the normal task runs on it.
import * as core from '@actions/core';
import type { WorkIntent } from '../events/intent.js';
import type { TrackerTicket } from '../events/tracker-task.js';
import { neutraliseCommands, stripHidden } from '../prompt/sanitize.js';
import { readTicketLink, ticketMarker } from '../state/ticket-link.js';
import type { Deps } from './deps.js';

const SOURCE_NAMES: Record<TrackerTicket['source'], string> = {
  jira: 'Jira',
  linear: 'Linear',
  other: 'tracker',
};

/** The issue's title: the key first, so people (and GitHub search) find it. */
export function ticketTitle(t: TrackerTicket): string {
  const title = stripHidden(t.title).replace(/\s+/g, ' ').trim();
  return `[${t.key}] ${title}`.slice(0, 256);
}

/**
 * The issue body: the ticket's text, cleaned like any untrusted text (hidden comments, zero-width and
 * bidi characters gone — so a pasted marker cannot hide in it — and `/pilot` lines quoted), then the link.
 */
export function ticketBody(t: TrackerTicket): string {
  const text = neutraliseCommands(stripHidden(t.body)).trim();
  const from = `From ${SOURCE_NAMES[t.source]} ticket [${t.key}](${t.url}) (sent by a \`pilot-task\` dispatch).`;
  return [from, text || '_The ticket has no description._'].join('\n\n');
}

/** The intent for the issue linked to the ticket's key (found, or opened now). */
export async function linkTicket(
  deps: Deps,
  intent: WorkIntent & { tracker: TrackerTicket },
): Promise<WorkIntent> {
  const t = intent.tracker;
  const title = ticketTitle(t);
  const text = ticketBody(t);
  const found = await findLinked(deps, t);
  if (found !== null) {
    const body = `${text}\n\n${ticketMarker(t, found, deps.seal)}`;
    await deps.octokit.rest.issues.update({
      ...deps.ctx.repo,
      issue_number: found,
      title,
      body,
      state: 'open',
    });
    core.info(`Ticket ${t.key} is linked to #${found}: updated it with the ticket's text`);
    return { ...intent, issue: found };
  }
  const { data } = await deps.octokit.rest.issues.create({ ...deps.ctx.repo, title, body: text });
  // The link is sealed for the issue's number, known only now: a second write puts it in.
  const body = `${text}\n\n${ticketMarker(t, data.number, deps.seal)}`;
  await deps.octokit.rest.issues.update({ ...deps.ctx.repo, issue_number: data.number, body });
  core.info(`Ticket ${t.key}: opened #${data.number} for it`);
  return { ...intent, issue: data.number };
}

/** The issue Pilot opened for this key (its own, with a link that verifies), or null. */
async function findLinked(deps: Deps, t: TrackerTicket): Promise<number | null> {
  const issues = await deps.octokit.paginate(deps.octokit.rest.issues.listForRepo, {
    ...deps.ctx.repo,
    creator: deps.config.botLogin,
    state: 'all',
    per_page: 100,
  });
  for (const issue of issues) {
    if (issue.pull_request) continue;
    const link = readTicketLink(issue, deps.config.botLogin, deps.seal);
    if (link && link.source === t.source && link.key === t.key) return issue.number;
  }
  return null;
}
