// Sends a notice to every channel configured for its event. A failing receiver is retried with
// backoff and then logged as a warning: a notification never fails, or even slows much, a run.
// Logs name the channel and the status only, never a URL (webhook URLs and bot tokens are secrets).
import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import type { Config, NotifyEvent } from '../config/schema.js';
import { discordBody, type Notice, slackBody, telegramBody, webhookBody } from './message.js';
import { SIGNATURE_HEADER, signature, TIMESTAMP_HEADER } from './sign.js';

export type NotifyConfig = Pick<
  Config,
  | 'slackWebhookUrl'
  | 'slackEvents'
  | 'discordWebhookUrl'
  | 'discordEvents'
  | 'telegramBotToken'
  | 'telegramChatId'
  | 'telegramEvents'
  | 'webhookUrl'
  | 'webhookSecret'
  | 'webhookEvents'
>;

export interface SendOptions {
  /** Tries per receiver (first included). */
  attempts?: number;
  /** First wait between tries; doubles each time. */
  backoffMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** Base URL of the Telegram Bot API; see telegramApi(). */
  telegramApi?: string;
}

export interface Delivery {
  channel: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** For APIs that answer 200 with an error inside (GraphQL): whether the answer's body means success. */
  accepted?: (body: string) => boolean;
}

/** Telegram's API base. Tests point it at a loopback server; nothing else can be chosen. */
export function telegramApi(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.PILOT_TEST_TELEGRAM_API;
  if (wanted && /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(wanted)) return wanted;
  return 'https://api.telegram.org';
}

const JSON_TYPE = { 'content-type': 'application/json' };

export function deliveriesFor(config: NotifyConfig, notice: Notice, opts: SendOptions = {}): Delivery[] {
  const wants = (events: NotifyEvent[]) => events.includes(notice.event);
  const out: Delivery[] = [];
  if (config.slackWebhookUrl && wants(config.slackEvents))
    out.push({ channel: 'Slack', url: config.slackWebhookUrl, body: slackBody(notice), headers: JSON_TYPE });
  if (config.discordWebhookUrl && wants(config.discordEvents))
    out.push({
      channel: 'Discord',
      url: config.discordWebhookUrl,
      body: discordBody(notice),
      headers: JSON_TYPE,
    });
  if (config.telegramBotToken && config.telegramChatId && wants(config.telegramEvents)) {
    const url = `${opts.telegramApi ?? telegramApi()}/bot${config.telegramBotToken}/sendMessage`;
    out.push({
      channel: 'Telegram',
      url,
      body: telegramBody(notice, config.telegramChatId),
      headers: JSON_TYPE,
    });
  }
  if (config.webhookUrl && config.webhookSecret && wants(config.webhookEvents)) {
    const now = (opts.now ?? Date.now)();
    const ts = Math.floor(now / 1000);
    const body = webhookBody(notice, randomUUID(), new Date(now).toISOString());
    const headers = {
      ...JSON_TYPE,
      'x-pilot-event': notice.event,
      [TIMESTAMP_HEADER]: String(ts),
      [SIGNATURE_HEADER]: signature(config.webhookSecret, ts, body),
    };
    out.push({ channel: 'webhook', url: config.webhookUrl, body, headers });
  }
  return out;
}

/** 429 and 5xx are worth another try; any other refusal will not change. */
function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

export async function deliver(d: Delivery, opts: SendOptions): Promise<string | null> {
  const attempts = opts.attempts ?? 3;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, (opts.backoffMs ?? 1000) * 2 ** (i - 1)));
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: d.headers,
        body: d.body,
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const text = await res.text().catch(() => '');
      if (res.ok && (!d.accepted || d.accepted(text))) return null;
      if (res.ok) return 'refused in its answer';
      last = `HTTP ${res.status}`;
      if (!retryable(res.status)) break;
    } catch (error) {
      // The error's text can quote the URL (a secret): only its kind is reported.
      last = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'could not connect';
    }
  }
  return last;
}

/** Sends to every channel that wants the event, in parallel; resolves when all are done. */
export async function notify(config: NotifyConfig, notice: Notice, opts: SendOptions = {}): Promise<void> {
  const deliveries = deliveriesFor(config, notice, opts);
  await Promise.all(
    deliveries.map(async (d) => {
      const failed = await deliver(d, opts).catch(() => 'failed');
      if (failed)
        core.warning(`Notification ${notice.event} to ${d.channel} failed (${failed}); the run goes on`);
      else core.info(`Notification ${notice.event} sent to ${d.channel}`);
    }),
  );
}
