// What one notification says, and each channel's body for it. Every text is redacted (Pilot's
// registered secrets and token patterns) and built from fields Pilot chose; issue titles are an
// outsider's words, so each chat's mention syntax is defused (no @everyone, no <!channel>).
import type { NotifyEvent } from '../config/schema.js';
import { redact } from '../security/redact.js';

export interface Notice {
  event: NotifyEvent;
  repository: string;
  issue?: number;
  title?: string;
  /** The link a person follows: the PR, the tracking comment or the run. */
  url?: string;
  status?: string;
  costUsd?: number;
  /** One line saying what happened, in Pilot's words. */
  summary: string;
}

const HEADLINE: Record<NotifyEvent, string> = {
  'task.started': 'Task started',
  'task.succeeded': 'Task succeeded',
  'task.failed': 'Task failed',
  'pr.created': 'Pull request opened',
  'pr.merged': 'Pull request merged',
  'budget.warning': 'Budget warning',
  'budget.exceeded': 'Budget exceeded',
  needs_human: 'Needs a human',
  'ops.incident': 'Ops incident opened',
  'ops.escalated': 'Ops incident escalated',
  'ops.remediated': 'Ops remediation ran',
  'ops.healed': 'Ops incident healed',
  'autopilot.paused': 'Merge autopilot paused',
};

/** The plain text every chat shows (redacted; mentions defused per channel afterwards). */
export function plainText(n: Notice): string {
  // Redacted before it is cut: a cut through a secret would leave a prefix no pattern matches.
  const about = n.issue ? ` #${n.issue}${n.title ? ` ${redact(n.title).slice(0, 200)}` : ''}` : '';
  const lines = [`Pilot · ${n.repository}${about}`, `${HEADLINE[n.event]}: ${n.summary}`];
  if (n.url) lines.push(n.url);
  return redact(lines.join('\n'));
}

/** Slack's control sequences start with `<`: escaping &, < and > leaves only text. */
export function slackBody(n: Notice): string {
  const text = plainText(n).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return JSON.stringify({ text });
}

/** `allowed_mentions: {parse: []}` turns off @everyone, @here, role and user pings. */
export function discordBody(n: Notice): string {
  return JSON.stringify({ content: plainText(n).slice(0, 2000), allowed_mentions: { parse: [] } });
}

export function telegramBody(n: Notice, chatId: string): string {
  // No parse_mode: plain text, so nothing in a title is read as markup.
  return JSON.stringify({
    chat_id: chatId,
    text: plainText(n).slice(0, 4096),
    disable_web_page_preview: true,
  });
}

/** The generic webhook's JSON: the notice's fields, redacted, plus a delivery id and a time. */
export function webhookBody(n: Notice, delivery: string, at: string): string {
  // Redacted field by field, before JSON escaping could hide a secret from the text match.
  const text = (value: string | undefined) => (value === undefined ? undefined : redact(value));
  const fields = { ...n, title: text(n.title)?.slice(0, 200), summary: text(n.summary), url: text(n.url) };
  return JSON.stringify({ delivery, at, ...fields });
}
