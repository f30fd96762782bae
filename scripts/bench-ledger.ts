// The ledger's cost against the GitHub emulator (real Octokit, real HTTP): appending one record and
// reading a day's totals with 100 and with 100,000 records in the history (the ratio should stay
// near 1: an append and a budget read are O(1) in history), and the GitHub writes 20 runs finishing
// at once cost. Prints figures; asserts nothing. `npm run bench` calls `benchLedger()`.
import { getOctokit } from '@actions/github';
import {
  appendRecords,
  foldPending,
  type LedgerRecord,
  readSpend,
  readTotals,
  recordPending,
  type Where,
} from '../src/ledger/index.js';
import { type GitHubEmulator, startGitHub } from '../test/world/github/index.js';
import { type Spread, spread, spreadText } from './bench-stats.js';

const repo = { owner: 'acme', repo: 'app' };
const DAY = 86_400_000;
const TODAY = Date.parse('2026-12-03T12:00:00Z');
const PER_DAY = 100;
const SAMPLES = 9;

function record(n: number, at: number): LedgerRecord {
  return {
    v: 1,
    kind: 'run',
    key: `${n}-1`,
    at: new Date(at).toISOString(),
    issue: 1 + (n % 500),
    intent: 'run',
    outcome: n % 5 === 0 ? 'failure' : 'success',
    costUsd: 0.12,
    tokensIn: 12_000,
    tokensOut: 3_000,
    tokensCacheRead: 0,
    tokensCacheWrite: 0,
    turns: 9,
    durationMs: 240_000,
    model: 'claude-sonnet-4',
    runner: 'ubuntu-latest',
    runId: n,
    attempt: 1,
  };
}

/** `count` records spread over the days before today, 100 a day, appended 5,000 at a time. */
async function seed(w: Where, count: number): Promise<void> {
  const days = Math.ceil(count / PER_DAY);
  for (let start = 0; start < count; start += 5000) {
    const batch: LedgerRecord[] = [];
    for (let n = start; n < Math.min(start + 5000, count); n++) {
      const day = days - Math.floor(n / PER_DAY);
      batch.push(record(n + 1, TODAY - day * DAY + (n % PER_DAY) * 60_000));
    }
    const at = batch[batch.length - 1].at;
    await appendRecords(w, batch, { now: () => at });
  }
}

interface Cost {
  ms: number;
  spread: Spread;
  requests: number;
  writes: number;
}

async function measure(gh: GitHubEmulator, fn: () => Promise<unknown>): Promise<Cost> {
  const times: number[] = [];
  let requests = 0;
  let writes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const before = gh.requests();
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
    const made = gh.requests().slice(before.length);
    requests = made.length;
    writes = made.filter((r) => r.method !== 'GET').length;
  }
  const s = spread(times);
  return { ms: s.median, spread: s, requests, writes };
}

async function withLedger(count: number): Promise<{ append: Cost; read: Cost; budget: Cost }> {
  const gh = await startGitHub();
  try {
    gh.addRepo(repo);
    const w = { octokit: getOctokit(gh.token, { baseUrl: gh.url }), repo };
    await seed(w, count);
    let next = 10_000_000;
    const now = () => new Date(TODAY).toISOString();
    const append = await measure(gh, () => appendRecords(w, [record(next++, TODAY)], { now }));
    const read = await measure(gh, () => readTotals(w, '2026-12-03'));
    // A budget check: the day's and month's totals, pending records and leases (none pending here).
    const budget = await measure(gh, () => readSpend(w, { now: new Date(TODAY), reservePerRunUsd: 5 }));
    return { append, read, budget };
  } finally {
    await gh.close();
  }
}

function line(label: string, c: Cost): string {
  return `${label}: ${spreadText(c.spread, 'ms', 1)}, ${c.requests} requests (${c.writes} writes)`;
}

/** 20 runs record themselves and fold at once (2 s spread, as the work run does), then a sweep. */
async function twentyAtOnce(): Promise<{ writes: number; folds: number }> {
  const gh = await startGitHub();
  try {
    gh.addRepo(repo);
    const client = () => ({ octokit: getOctokit(gh.token, { baseUrl: gh.url }), repo });
    await appendRecords(client(), [record(1, TODAY)]); // the ledger exists already
    const before = gh.requests().length;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const w = client();
        const r = record(100 + i, TODAY);
        await recordPending(w, r);
        await foldPending(w, { own: r.key, spreadMs: 2000, maxAttempts: 3 }).catch(() => undefined);
      }),
    );
    await foldPending(client());
    const made = gh.requests().slice(before);
    const writes = made.filter((r) => r.method !== 'GET');
    return {
      writes: writes.length,
      folds: writes.filter((r) => r.method === 'PATCH' && r.status === 200).length,
    };
  } finally {
    await gh.close();
  }
}

export async function benchLedger(): Promise<void> {
  console.log(`Ledger (GitHub emulator, real Octokit; ${SAMPLES} runs each):`);
  await withLedger(100); // warm-up: the first run pays for loading and JIT
  const small = await withLedger(100);
  const large = await withLedger(100_000);
  console.log(`  ${line('append, 100 records        ', small.append)}`);
  console.log(`  ${line('append, 100,000 records    ', large.append)}`);
  console.log(`  ${line('read totals, 100 records   ', small.read)}`);
  console.log(`  ${line('read totals, 100,000 records', large.read)}`);
  console.log(`  ${line('budget check, 100 records  ', small.budget)}`);
  console.log(`  ${line('budget check, 100,000 records', large.budget)}`);
  const ratio = (a: Cost, b: Cost) =>
    `${(b.ms / a.ms).toFixed(2)}× median time, ${(b.requests / a.requests).toFixed(2)}× requests`;
  console.log(
    `  ratio 100,000 / 100: append ${ratio(small.append, large.append)}; read ${ratio(small.read, large.read)}; budget ${ratio(small.budget, large.budget)}`,
  );
  const bursts = [];
  for (let i = 0; i < 3; i++) bursts.push(await twentyAtOnce());
  console.log(
    `  20 runs finishing at once (3 runs): ${spreadText(spread(bursts.map((b) => b.writes)), 'GitHub writes')}; ${spreadText(spread(bursts.map((b) => b.folds)), 'ledger commits')}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await benchLedger();
