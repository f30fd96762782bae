// Trackers out: the PR link and the outcome go back to the ticket a `pilot-task` came from — a Jira REST
// comment or a Linear GraphQL `commentCreate` (docs/trackers.md). Like every notice it is redacted,
// retried with backoff and then only a warning: a tracker that is down never fails the run. Logs name
// the tracker and the status only, never the URL or the token.
import * as core from '@actions/core';
import type { Config } from '../config/schema.js';
import { redact } from '../security/redact.js';
import { type Delivery, deliver, type SendOptions } from './send.js';

export type TrackerConfig = Pick<
  Config,
  'jiraUrl' | 'jiraUser' | 'jiraToken' | 'linearToken' | 'linearApiUrl'
>;

export interface TicketRef {
  source: 'jira' | 'linear' | 'other';
  key: string;
}

const JSON_TYPE = { 'content-type': 'application/json', accept: 'application/json' };

/** Jira Cloud takes basic auth (email:API token); Data Center a personal access token as bearer. */
function jiraAuth(config: TrackerConfig): string {
  const token = config.jiraToken ?? '';
  if (!config.jiraUser) return `Bearer ${token}`;
  return `Basic ${Buffer.from(`${config.jiraUser}:${token}`).toString('base64')}`;
}

/** Linear's personal API keys go bare in Authorization; OAuth tokens as bearer. */
function linearAuth(token: string): string {
  return token.startsWith('lin_api_') ? token : `Bearer ${token}`;
}

const COMMENT_CREATE =
  'mutation PilotComment($issueId: String!, $body: String!) { commentCreate(input: { issueId: $issueId, body: $body }) { success } }';

/** Linear answers 200 with `errors` (or `success: false`) when it did not create the comment. */
function linearSucceeded(body: string): boolean {
  try {
    const json = JSON.parse(body) as { data?: { commentCreate?: { success?: unknown } } };
    return json.data?.commentCreate?.success === true;
  } catch {
    return false;
  }
}

/** Where the comment goes, or null when the ticket's tracker is not configured. */
export function ticketDelivery(config: TrackerConfig, ticket: TicketRef, text: string): Delivery | null {
  const body = redact(text);
  if (ticket.source === 'jira' && config.jiraUrl && config.jiraToken) {
    const base = config.jiraUrl.replace(/\/+$/, '');
    return {
      channel: 'Jira',
      url: `${base}/rest/api/2/issue/${encodeURIComponent(ticket.key)}/comment`,
      body: JSON.stringify({ body }),
      headers: { ...JSON_TYPE, authorization: jiraAuth(config) },
    };
  }
  if (ticket.source === 'linear' && config.linearToken) {
    return {
      channel: 'Linear',
      url: config.linearApiUrl,
      // Linear's issueId takes the identifier (ENG-42) as well as the UUID.
      body: JSON.stringify({ query: COMMENT_CREATE, variables: { issueId: ticket.key, body } }),
      headers: { ...JSON_TYPE, authorization: linearAuth(config.linearToken) },
      accepted: linearSucceeded,
    };
  }
  return null;
}

/** Comments on the ticket; never throws. True when the tracker took it. */
export async function commentOnTicket(
  config: TrackerConfig,
  ticket: TicketRef,
  text: string,
  opts: SendOptions = {},
): Promise<boolean> {
  const d = ticketDelivery(config, ticket, text);
  if (!d) {
    core.info(`No ${ticket.source} tracker is configured: ticket ${ticket.key} gets no comment`);
    return false;
  }
  const failed = await deliver(d, opts).catch(() => 'failed');
  if (failed)
    core.warning(`Comment on ${d.channel} ticket ${ticket.key} failed (${failed}); the run goes on`);
  else core.info(`Commented on ${d.channel} ticket ${ticket.key}`);
  return !failed;
}
