// The pilot_* metrics against the real Pushgateway (Debian's binary on a loopback port, stopped after):
// pushed, scraped back, checked series by series. The text itself is checked twice: by the strict
// parser in prom-text.ts, and by the Pushgateway, which refuses a push it cannot parse.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToTotals, emptyTotals, type PeriodTotals } from '../../src/ledger/totals.js';
import { groupUrl, metricsText, PushFailed, pushGroup } from '../../src/metrics/index.js';
import { runRecord } from '../ledger/world.js';
import { parsePromText, seriesValue } from './prom-text.js';
import { type Pushgateway, startPushgateway } from './pushgateway.js';

const REPOSITORY = 'acme/app';
const GROUP = { job: 'pilot', repository: REPOSITORY };

function totalsOf(records: Array<Parameters<typeof runRecord>[1]>): PeriodTotals {
  const t = emptyTotals('all');
  for (const [i, fields] of records.entries()) addToTotals(t, runRecord(i + 1, fields), 0);
  return t;
}

const FIRST = totalsOf([
  { outcome: 'success', costUsd: 0.25, durationMs: 45_000, tokensCacheRead: 500, tokensCacheWrite: 40 },
  { outcome: 'failure', costUsd: 0.5, durationMs: 400_000 },
]);

describe('pilot_* metrics text', () => {
  it('names every series as the seed system does, with values from the ledger totals, and parses strictly', async () => {
    const families = parsePromText(await metricsText(FIRST, { queueDepth: 3 }));
    expect([...families.keys()]).toEqual([
      'pilot_issues_processed_total',
      'pilot_prs_merged_total',
      'pilot_queue_depth',
      'pilot_success_rate',
      'pilot_execution_duration_seconds',
      'pilot_cost_usd_total',
      'pilot_tokens_total',
    ]);
    expect(families.get('pilot_execution_duration_seconds')?.type).toBe('histogram');
    expect(families.get('pilot_tokens_total')?.type).toBe('counter');
    const v = (name: string, labels?: Record<string, string>) => seriesValue(families, name, labels);
    expect(v('pilot_issues_processed_total', { result: 'success' })).toBe(1);
    expect(v('pilot_issues_processed_total', { result: 'failure' })).toBe(1);
    expect(v('pilot_success_rate')).toBe(0.5);
    expect(v('pilot_queue_depth')).toBe(3);
    expect(v('pilot_cost_usd_total')).toBe(0.75);
    expect(v('pilot_tokens_total', { kind: 'input' })).toBe(2000);
    expect(v('pilot_tokens_total', { kind: 'cache_read' })).toBe(500);
    expect(v('pilot_tokens_total', { kind: 'cache_write' })).toBe(40);
    expect(v('pilot_execution_duration_seconds_bucket', { le: '30' })).toBe(0);
    expect(v('pilot_execution_duration_seconds_bucket', { le: '60' })).toBe(1);
    expect(v('pilot_execution_duration_seconds_bucket', { le: '600' })).toBe(2);
    expect(v('pilot_execution_duration_seconds_bucket', { le: '+Inf' })).toBe(2);
    expect(v('pilot_execution_duration_seconds_sum')).toBe(445);
    expect(v('pilot_execution_duration_seconds_count')).toBe(2);
  });

  it('leaves pilot_queue_depth out, rather than a made-up 0, when the queue could not be counted', async () => {
    expect(parsePromText(await metricsText(FIRST)).has('pilot_queue_depth')).toBe(false);
  });

  it('the strict parser refuses what Prometheus would (so its passing means something)', () => {
    expect(() => parsePromText('pilot_x 1\n')).toThrow(/no TYPE/);
    expect(() => parsePromText('# HELP pilot_x x\npilot_x 1\n')).toThrow(/no TYPE/);
    expect(() => parsePromText('# TYPE pilot_x counter\n# TYPE pilot_x gauge\n')).toThrow(/repeated/);
    expect(() => parsePromText('# TYPE pilot_x counter\npilot_x{a="1} 1\n')).toThrow(/unterminated/);
    expect(() => parsePromText('# TYPE pilot_x counter\npilot_x one\n')).toThrow(/bad value/);
    expect(() => parsePromText('# TYPE pilot_x counter\npilot_x 1\npilot_x 2\n')).toThrow(/twice/);
  });

  it('encodes the repository in the group URL, so a name cannot add or change labels of the group', () => {
    const url = groupUrl('https://push.example.com/prefix/', 'acme/app/../job/evil');
    expect(url).toMatch(
      /^https:\/\/push\.example\.com\/prefix\/metrics\/job\/pilot\/repository@base64\/[\w-]+$/,
    );
    const encoded = url.split('/').at(-1) as string;
    expect(Buffer.from(encoded, 'base64url').toString()).toBe('acme/app/../job/evil');
  });
});

describe('the Pushgateway (real binary)', () => {
  let gw: Pushgateway;
  beforeAll(async () => {
    gw = await startPushgateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('holds the pushed series under {job="pilot", repository}; a second push replaces the group, counters grew', async () => {
    await pushGroup({ url: gw.url }, REPOSITORY, await metricsText(FIRST, { queueDepth: 3 }));
    let scraped = parsePromText(await gw.scrape());
    expect(seriesValue(scraped, 'pilot_issues_processed_total', { ...GROUP, result: 'success' })).toBe(1);
    expect(seriesValue(scraped, 'pilot_queue_depth', GROUP)).toBe(3);
    expect(seriesValue(scraped, 'pilot_cost_usd_total', GROUP)).toBe(0.75);
    expect(seriesValue(scraped, 'pilot_execution_duration_seconds_count', GROUP)).toBe(2);

    const second = totalsOf([
      { outcome: 'success', costUsd: 0.25, durationMs: 45_000, tokensCacheRead: 500, tokensCacheWrite: 40 },
      { outcome: 'failure', costUsd: 0.5, durationMs: 400_000 },
      { outcome: 'success', costUsd: 1, durationMs: 90_000 },
    ]);
    // This push has no queue depth: PUT replaces the whole group, so the old gauge is gone, not kept.
    await pushGroup({ url: gw.url }, REPOSITORY, await metricsText(second));
    scraped = parsePromText(await gw.scrape());
    expect(seriesValue(scraped, 'pilot_issues_processed_total', { ...GROUP, result: 'success' })).toBe(2);
    expect(seriesValue(scraped, 'pilot_cost_usd_total', GROUP)).toBe(1.75);
    expect(seriesValue(scraped, 'pilot_tokens_total', { ...GROUP, kind: 'input' })).toBe(3000);
    expect(seriesValue(scraped, 'pilot_queue_depth', GROUP)).toBeUndefined();
    expect(await gw.groups()).toEqual([GROUP]);
  });

  it('refuses a body that is not the text format, and the push fails with its reason', async () => {
    await expect(pushGroup({ url: gw.url }, REPOSITORY, 'pilot_x{ 1\n')).rejects.toThrow(/400 Bad Request/);
  });

  it('a Pushgateway that is down is a PushFailed naming the host, not a crash', async () => {
    const down = await startPushgateway();
    const url = down.url;
    await down.close();
    await expect(pushGroup({ url }, REPOSITORY, '')).rejects.toBeInstanceOf(PushFailed);
    await expect(pushGroup({ url }, REPOSITORY, '')).rejects.toThrow(url);
  });
});

describe('Pushgateway authentication', () => {
  // bcrypt of the password, cost 5, made once with `perl -e 'print crypt("pw-s3cret-1", q{$2b$05$abcdefghijklmnopqrstuu})'`:
  // the Pushgateway's --web.config.file stores only bcrypt hashes.
  const basic = {
    username: 'ci',
    password: 'pw-s3cret-1',
    hash: '$2b$05$abcdefghijklmnopqrstuuYnRb.MhTBbbx7gEkiepLeXMqYDdahpu',
  };
  let gw: Pushgateway;
  beforeAll(async () => {
    gw = await startPushgateway(basic);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('pushes with basic auth; without it or with a wrong password the push is refused, naming no credential', async () => {
    const text = await metricsText(FIRST);
    await pushGroup({ url: gw.url, auth: { username: 'ci', password: basic.password } }, REPOSITORY, text);
    expect(seriesValue(parsePromText(await gw.scrape()), 'pilot_prs_merged_total', GROUP)).toBe(0);
    await expect(pushGroup({ url: gw.url }, REPOSITORY, text)).rejects.toThrow(/401/);
    const wrong = pushGroup(
      { url: gw.url, auth: { username: 'ci', password: 'guess-123' } },
      REPOSITORY,
      text,
    );
    const error = (await wrong.then(
      () => new Error('pushed without the right password'),
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(PushFailed);
    expect(error.message).toMatch(/401/);
    expect(error.message).not.toContain('guess-123');
    expect(error.message).not.toContain(Buffer.from('ci:guess-123').toString('base64'));
  });

  it('sends a bearer token as Authorization: Bearer (checked at a loopback receiver: the Pushgateway has no bearer auth)', async () => {
    const seen: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(req.headers.authorization === 'Bearer tok-abc-123' ? 200 : 401).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      await pushGroup({ url, auth: { token: 'tok-abc-123' } }, REPOSITORY, 'x');
      await expect(pushGroup({ url, auth: { token: 'other-tok' } }, REPOSITORY, 'x')).rejects.toThrow(/401/);
      expect(seen[0]).toEqual({
        method: 'PUT',
        url: `/metrics/job/pilot/repository@base64/${Buffer.from(REPOSITORY).toString('base64url')}`,
        auth: 'Bearer tok-abc-123',
        body: 'x',
      });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });
});
