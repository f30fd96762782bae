// Notifications against real HTTP receivers on loopback: each channel's body, the webhook's
// signature as a receiver verifies it (and refuses a forged or replayed delivery), redaction and
// mention defusing of an outsider's title, and a failing receiver retried, then only a warning.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NOTIFY_EVENTS } from '../../src/config/schema.js';
import {
  type Notice,
  type NotifyConfig,
  notify,
  telegramApi,
  verifySignature,
} from '../../src/notify/index.js';
import { registerSecret, resetSecrets } from '../../src/security/redact.js';
import { type Receiver, startReceiver } from './receiver.js';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';
const TOKEN = '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345';
let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  resetSecrets();
  vi.restoreAllMocks();
});

const none: NotifyConfig = {
  slackWebhookUrl: undefined,
  slackEvents: [...NOTIFY_EVENTS],
  discordWebhookUrl: undefined,
  discordEvents: [...NOTIFY_EVENTS],
  telegramBotToken: undefined,
  telegramChatId: undefined,
  telegramEvents: [...NOTIFY_EVENTS],
  webhookUrl: undefined,
  webhookSecret: undefined,
  webhookEvents: [...NOTIFY_EVENTS],
};

const notice: Notice = {
  event: 'task.failed',
  repository: 'acme/app',
  issue: 7,
  title: 'Fix the login',
  url: 'https://github.com/acme/app/issues/7',
  summary: 'ended failed',
};

/** What went to the log as `::warning::` lines (core.warning writes workflow commands to stdout). */
function captureWarnings(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = String(chunk);
    if (text.startsWith('::warning::')) lines.push(text.slice('::warning::'.length).trim());
    return true;
  });
  return lines;
}

const fast = { backoffMs: 5, timeoutMs: 2000 };
const nowSeconds = () => Math.floor(Date.now() / 1000);

function headersOf(i: number) {
  const d = receiver.deliveries[i];
  return {
    signature: String(d.headers['x-pilot-signature']),
    timestamp: String(d.headers['x-pilot-timestamp']),
  };
}

describe('the signed webhook', () => {
  const config = { ...none, webhookUrl: '', webhookSecret: SECRET };

  it('signs `<timestamp>.<body>`: the documented check accepts it', async () => {
    await notify({ ...config, webhookUrl: `${receiver.url}/hook` }, notice, fast);
    expect(receiver.deliveries).toHaveLength(1);
    const d = receiver.deliveries[0];
    expect(d.headers['x-pilot-event']).toBe('task.failed');
    expect(verifySignature(SECRET, headersOf(0), d.body, nowSeconds())).toEqual({ ok: true });
    expect(JSON.parse(d.body)).toMatchObject({ event: 'task.failed', repository: 'acme/app', issue: 7 });
  });

  it('a forged body, a wrong secret or a replay outside the window is refused by that check', async () => {
    await notify({ ...config, webhookUrl: receiver.url }, notice, fast);
    const { body } = receiver.deliveries[0];
    const forged = body.replace('task.failed', 'task.succeeded');
    expect(verifySignature(SECRET, headersOf(0), forged, nowSeconds())).toMatchObject({ ok: false });
    expect(verifySignature(`${SECRET}x`, headersOf(0), body, nowSeconds())).toMatchObject({ ok: false });
    // The same delivery replayed ten minutes later; and a fresh timestamp pasted onto it.
    expect(verifySignature(SECRET, headersOf(0), body, nowSeconds() + 600)).toEqual({
      ok: false,
      reason: 'timestamp outside the window',
    });
    const restamped = { ...headersOf(0), timestamp: String(nowSeconds() + 600) };
    expect(verifySignature(SECRET, restamped, body, nowSeconds() + 600)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('only sends the events its list names', async () => {
    await notify({ ...config, webhookUrl: receiver.url, webhookEvents: ['pr.merged'] }, notice, fast);
    expect(receiver.deliveries).toHaveLength(0);
  });
});

describe('chat channels', () => {
  it('Slack: text with its control characters escaped, so a title cannot ping <!channel>', async () => {
    await notify(
      { ...none, slackWebhookUrl: receiver.url },
      { ...notice, title: 'hi <!channel> & all' },
      fast,
    );
    const { text } = JSON.parse(receiver.deliveries[0].body);
    expect(text).toContain('#7 hi &lt;!channel&gt; &amp; all');
    expect(text).toContain('Task failed: ended failed');
  });

  it('Discord: content with mentions turned off', async () => {
    await notify({ ...none, discordWebhookUrl: receiver.url }, { ...notice, title: '@everyone look' }, fast);
    expect(JSON.parse(receiver.deliveries[0].body)).toMatchObject({
      content: expect.stringContaining('@everyone look'),
      allowed_mentions: { parse: [] },
    });
  });

  it('Telegram: sendMessage under the bot token, plain text; the API base moves only to loopback (tests)', async () => {
    const config = { ...none, telegramBotToken: TOKEN, telegramChatId: '-100123' };
    await notify(config, notice, { ...fast, telegramApi: receiver.url });
    expect(receiver.deliveries[0].path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(JSON.parse(receiver.deliveries[0].body)).toMatchObject({
      chat_id: '-100123',
      text: expect.stringContaining('Fix the login'),
    });
    expect(telegramApi({ PILOT_TEST_TELEGRAM_API: 'http://127.0.0.1:8080' })).toBe('http://127.0.0.1:8080');
    expect(telegramApi({ PILOT_TEST_TELEGRAM_API: 'https://evil.example' })).toBe('https://api.telegram.org');
    expect(telegramApi({})).toBe('https://api.telegram.org');
  });
});

describe('what a body may carry', () => {
  it('never a secret Pilot holds, nor a token-shaped string, even when an outsider puts it in the title', async () => {
    const held = 'sk-ant-api03-held-secret-value-000000000000';
    registerSecret(held);
    const leaky = { ...notice, title: `${held} and ghp_${'a'.repeat(36)}`, summary: `see ${held}` };
    const config = {
      ...none,
      slackWebhookUrl: receiver.url,
      discordWebhookUrl: receiver.url,
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
    };
    await notify(config, leaky, { ...fast, telegramApi: receiver.url });
    expect(receiver.deliveries).toHaveLength(3);
    for (const d of receiver.deliveries) {
      expect(d.body).not.toContain(held);
      expect(d.body).not.toContain('ghp_');
    }
  });
});

describe('what a body may carry, cut short', () => {
  it('not even the start of a secret that a long title cuts through', async () => {
    const held = 'sk-ant-api03-held-secret-value-000000000000';
    registerSecret(held);
    const cut = { ...notice, title: `${'x'.repeat(190)}${held}` };
    await notify(
      { ...none, slackWebhookUrl: receiver.url, webhookUrl: receiver.url, webhookSecret: SECRET },
      cut,
      fast,
    );
    expect(receiver.deliveries).toHaveLength(2);
    for (const d of receiver.deliveries) expect(d.body).not.toContain(held.slice(0, 8));
  });
});

describe('a failing receiver', () => {
  it('is retried with backoff (5xx, 429) and then it is a warning, never a throw', async () => {
    const warn = captureWarnings();
    receiver.answer.push(500, 429, 503);
    await expect(notify({ ...none, slackWebhookUrl: receiver.url }, notice, fast)).resolves.toBeUndefined();
    expect(receiver.deliveries).toHaveLength(3);
    expect(warn).toEqual(['Notification task.failed to Slack failed (HTTP 503); the run goes on']);
  });

  it('succeeds on a later try; a 4xx is not retried; an unreachable one does not print its URL', async () => {
    const warn = captureWarnings();
    receiver.answer.push(502);
    await notify({ ...none, slackWebhookUrl: receiver.url }, notice, fast);
    expect(receiver.deliveries).toHaveLength(2);
    expect(warn).toEqual([]);
    receiver.answer.push(404);
    await notify({ ...none, discordWebhookUrl: receiver.url }, notice, fast);
    expect(receiver.deliveries).toHaveLength(3);
    const gone = 'http://127.0.0.1:9/secret-path-token';
    await notify({ ...none, discordWebhookUrl: gone }, notice, fast);
    expect(warn).toEqual([
      'Notification task.failed to Discord failed (HTTP 404); the run goes on',
      'Notification task.failed to Discord failed (could not connect); the run goes on',
    ]);
  });
});
