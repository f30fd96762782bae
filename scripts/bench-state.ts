// Task state in the Actions cache (src/state/cache-doc.ts, the real @actions/cache against the cache
// emulator): one restore of the newest task document plus one save of the next, with 100 and with
// 10,000 earlier runs of the same issue in the cache. Every run saves its own key (entries are
// immutable), so the cache holds one entry per past run; the document itself carries at most 200
// runs of history. The older entries are copies of a real one placed straight in the emulator's
// store (a real save of each would take minutes); the newest is a real save, and everything timed
// goes through @actions/cache over HTTP. Prints figures; asserts nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CacheDoc, restoreTaskDoc, saveTaskDoc, taskKey } from '../src/state/cache-doc.js';
import { type RunRef, TASK_VERSION, type TaskDoc } from '../src/state/task.js';
import { type CacheService, cacheEnv, startCacheService } from '../test/world/cache/index.js';
import { quietly, sample, spread, spreadText } from './bench-stats.js';

const ISSUE = 7;
const SAMPLES = 7;
const TWIRP = 'twirp/github.actions.results.api.v1.CacheService/';

function docWith(runs: number): CacheDoc {
  const history: RunRef[] = Array.from({ length: Math.min(runs, 200) }, (_, i) => ({
    id: runs - Math.min(runs, 200) + i + 1,
    kind: 'work',
    at: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
    outcome: 'success',
  }));
  const task: TaskDoc = {
    v: TASK_VERSION,
    rev: runs,
    status: 'pr_open',
    attempts: runs,
    costUsd: 1.5,
    runs: history.slice(-10),
  };
  return { v: 1, issue: ISSUE, task, history };
}

async function twirp(service: CacheService, token: string, method: string, body: unknown) {
  const res = await fetch(`${service.url}${TWIRP}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, string | boolean>;
}

/** Entries for runs 1…count with the real entry's version and bytes, placed straight in the store. */
function seed(service: CacheService, count: number, version: string, data: Buffer): void {
  for (let run = 1; run <= count; run++) service.seedEntry({ key: taskKey(ISSUE, run, 1), version, data });
}

/** The real entry a save made: its version (hash of paths) and archive bytes. */
async function template(service: CacheService, token: string): Promise<{ version: string; bytes: Buffer }> {
  const entry = service.entries()[0];
  const url = await twirp(service, token, 'GetCacheEntryDownloadURL', {
    key: entry.key,
    version: entry.version,
  });
  const bytes = Buffer.from(await (await fetch(String(url.signed_download_url))).arrayBuffer());
  return { version: entry.version, bytes };
}

async function withPastRuns(runs: number, dir: string): Promise<number[]> {
  const service = await startCacheService();
  const temp = mkdtempSync(path.join(dir, `runs-${runs}-`));
  try {
    const token = service.tokenFor({ ref: 'refs/heads/main', mode: 'write' });
    Object.assign(process.env, cacheEnv(service, token));
    // The first past run's real save gives the entry shape the others copy.
    await quietly(() => saveTaskDoc(temp, docWith(1), { id: 1, attempt: 1 }));
    const { version, bytes } = await template(service, token);
    service.evictAll();
    seed(service, runs - 1, version, bytes);
    await quietly(() => saveTaskDoc(temp, docWith(runs), { id: runs, attempt: 1 }));
    return await sample(SAMPLES, async (i) => {
      const start = performance.now();
      const read = await quietly(() => restoreTaskDoc(temp, ISSUE));
      if (read.status !== 'hit')
        throw new Error(`restore missed with ${runs} past runs: ${JSON.stringify(read)}`);
      const next = { ...read.doc, task: { ...read.doc.task, rev: read.doc.task.rev + 1 } };
      const saved = await quietly(() => saveTaskDoc(temp, next, { id: runs + i + 1, attempt: 1 }));
      if (saved !== 'saved') throw new Error(`save answered ${saved}`);
      return performance.now() - start;
    });
  } finally {
    await service.close();
  }
}

export async function benchState(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pilot-bench-state-'));
  try {
    await withPastRuns(100, dir); // warm-up: the first round pays for loading and JIT
    const small = spread(await withPastRuns(100, dir));
    const large = spread(await withPastRuns(10_000, dir));
    console.log(
      `Task state in the Actions cache, restore + save (cache emulator, real @actions/cache; ${SAMPLES} runs):`,
    );
    console.log(`  100 past runs:     ${spreadText(small, 'ms')}`);
    console.log(`  10,000 past runs:  ${spreadText(large, 'ms')}`);
    console.log(`  ratio 10,000 / 100 (medians): ${(large.median / small.median).toFixed(2)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    for (const key of ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_SERVICE_V2'])
      delete process.env[key];
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchState();
