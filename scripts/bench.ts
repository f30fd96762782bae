// `npm run bench`: prints every target as min / median / max of several runs, asserts nothing. In
// order: the main step's start-up (scripts/bench-start.ts); the whole run label → pull request, gate
// and work separately (scripts/bench-run.ts); agent setup three ways (claude on PATH; warm from the
// Actions cache emulator with the real @actions/cache; cold npm install of the pinned CLI with an
// empty npm cache); task state restore + save at 100 vs 10,000 past runs (scripts/bench-state.ts);
// tracking-comment writes for a 1,000-event stream at three durations; the ledger
// (scripts/bench-ledger.ts). The toolkit's own log lines (`::debug::`, `[command]…`, cache progress)
// are kept off the output.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cache from '@actions/cache';
import { binaryCacheKey, installClaude } from '../src/agent/install/index.js';
import { Progress, simulatedTimers } from '../src/agent/progress.js';
import { parseStreamLine, type StreamEvent } from '../src/agent/stream.js';
import { DEFAULT_CLAUDE_CODE_VERSION } from '../src/config/schema.js';
import { cacheEnv, startCacheService } from '../test/world/cache/index.js';
import { benchLedger } from './bench-ledger.js';
import { benchRun } from './bench-run.js';
import { startup } from './bench-start.js';
import { benchState } from './bench-state.js';
import { quietly, sample, spread, spreadText } from './bench-stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REAL_BINARY = path.join(ROOT, 'node_modules/@anthropic-ai/claude-code-linux-x64/claude');
const VERSION = DEFAULT_CLAUDE_CODE_VERSION;
const SETUP_RUNS = 5;
const COLD_RUNS = 3;

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - start) / 1000, value };
}

function freshRunner(dir: string, name: string): void {
  process.env.RUNNER_TOOL_CACHE = path.join(dir, name, 'tool-cache');
  process.env.RUNNER_TEMP = path.join(dir, name, 'temp');
  mkdirSync(process.env.RUNNER_TEMP, { recursive: true });
}

function show(label: string, seconds: number[], note = ''): void {
  console.log(`  ${label.padEnd(22)} ${spreadText(spread(seconds), 's', 3)}${note}`);
}

async function onPath(dir: string): Promise<number[]> {
  const bin = path.join(dir, 'path-bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(REAL_BINARY, path.join(bin, 'claude'));
  const seconds = await sample(SETUP_RUNS, async (i) => {
    freshRunner(dir, `path-${i}`);
    const run = await timed(() => quietly(() => installClaude({ version: VERSION, pathEnv: bin })));
    if (run.value.source !== 'path') throw new Error(`expected claude from PATH, got ${run.value.source}`);
    return run.seconds;
  });
  show('on PATH:', seconds);
  return seconds;
}

/** One warm start: an earlier trusted run installed and saved the binary (not timed); this run restores it. */
async function warmOnce(dir: string, i: number): Promise<{ seconds: number; size: number }> {
  const service = await startCacheService();
  try {
    Object.assign(
      process.env,
      cacheEnv(service, service.tokenFor({ ref: 'refs/heads/main', mode: 'write' })),
    );
    freshRunner(dir, `warm-${i}`);
    const toolDir = path.join(process.env.RUNNER_TOOL_CACHE as string, 'claude-code', VERSION, 'x64');
    mkdirSync(toolDir, { recursive: true });
    copyFileSync(REAL_BINARY, path.join(toolDir, 'claude'));
    await quietly(() => cache.saveCache([toolDir], binaryCacheKey(VERSION, 'linux-x64')));
    const size = service.listEntries()[0]?.size_in_bytes ?? 0;
    rmSync(path.dirname(path.dirname(toolDir)), { recursive: true, force: true });
    const run = await timed(() =>
      quietly(() => installClaude({ version: VERSION, pathEnv: '/nonexistent' })),
    );
    if (run.value.source !== 'actions-cache')
      throw new Error(`expected a warm start, got ${run.value.source}`);
    return { seconds: run.seconds, size };
  } finally {
    await service.close();
    rmSync(path.join(dir, `warm-${i}`), { recursive: true, force: true });
  }
}

async function warm(dir: string): Promise<number[]> {
  let size = 0;
  const runs = await sample(SETUP_RUNS, async (i) => {
    const run = await warmOnce(dir, i);
    size = run.size;
    return run.seconds;
  });
  show('warm (Actions cache):', runs, ` (${(size / 1e6).toFixed(0)} MB archive)`);
  return runs;
}

function registryReachable(): boolean {
  try {
    execFileSync('npm', ['ping'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

async function cold(dir: string): Promise<number[] | null> {
  if (!registryReachable()) {
    console.log('  cold (npm install):    skipped: no registry');
    return null;
  }
  process.env.ACTIONS_CACHE_MODE = 'none'; // time the install, not a save
  // A machine without Claude Code: PATH minus every directory that holds a `claude` (npm run adds
  // node_modules/.bin), so the installer really goes to npm.
  const pathEnv = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((d) => d && !existsSync(path.join(d, 'claude')))
    .join(path.delimiter);
  const seconds = await sample(COLD_RUNS, async (i) => {
    freshRunner(dir, `cold-${i}`);
    // An empty npm cache each time: a fresh runner has downloaded nothing.
    process.env.npm_config_cache = path.join(dir, `cold-${i}`, 'npm-cache');
    const run = await timed(() => quietly(() => installClaude({ version: VERSION, pathEnv })));
    rmSync(path.join(dir, `cold-${i}`), { recursive: true, force: true });
    if (run.value.source !== 'npm') throw new Error(`expected an npm install, got ${run.value.source}`);
    return run.seconds;
  });
  delete process.env.npm_config_cache;
  delete process.env.ACTIONS_CACHE_MODE;
  show('cold (npm install):', seconds, ' (empty npm cache each run)');
  return seconds;
}

function streamEvent(i: number): StreamEvent {
  const tool =
    i % 50 === 0
      ? { name: 'TodoWrite', input: { todos: [{ content: `step ${i / 50}`, status: 'in_progress' }] } }
      : { name: 'Edit', input: { file_path: `/w/src/file-${i}.ts` } };
  const line = { type: 'assistant', message: { content: [{ type: 'tool_use', id: `t${i}`, ...tool }] } };
  return parseStreamLine(JSON.stringify(line)) as StreamEvent;
}

/** A small deterministic generator, so each run's irregular event timing reproduces. */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/**
 * Tracking-comment writes for 1,000 stream events over `seconds` of simulated time, arriving at
 * irregular intervals (exponential gaps with the same mean; run `i` uses seed `i`).
 */
async function progressWrites(seconds: number, i: number): Promise<number> {
  const timers = simulatedTimers();
  const progress = new Progress({ timers, write: async () => undefined });
  const random = lcg(i + 1);
  const gaps = Array.from({ length: 1000 }, () => -Math.log(1 - random()));
  const scale = (seconds * 1000) / gaps.reduce((a, b) => a + b, 0);
  for (let e = 0; e < 1000; e++) {
    progress.onEvent(streamEvent(e));
    timers.advance(gaps[e] * scale);
  }
  await progress.stop();
  return progress.writes;
}

async function trackingWrites(): Promise<void> {
  console.log(
    `Tracking-comment writes for 1,000 stream events (simulated time; ${SETUP_RUNS} runs of irregular timing):`,
  );
  for (const seconds of [60, 600, 3600]) {
    const writes = await sample(SETUP_RUNS, (i) => progressWrites(seconds, i));
    const target = Math.floor(seconds / 10) + 2;
    console.log(
      `  over ${String(seconds).padStart(4)} s: ${spreadText(spread(writes), 'writes')} (target ≤ ${target} = duration/10 + 2)`,
    );
  }
}

async function agentSetup(dir: string): Promise<void> {
  console.log(`Claude Code ${VERSION} agent setup (${SETUP_RUNS} runs; cold ${COLD_RUNS}):`);
  await onPath(dir);
  const warmSeconds = await warm(dir);
  const coldSeconds = await cold(dir);
  if (coldSeconds)
    console.log(
      `  warm/cold ratio (medians): ${(spread(warmSeconds).median / spread(coldSeconds).median).toFixed(2)} (target ≤ 0.5)`,
    );
  for (const key of ['ACTIONS_RESULTS_URL', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_CACHE_SERVICE_V2'])
    delete process.env[key];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pilot-bench-'));
  try {
    await startup(ROOT);
    await benchRun();
    await agentSetup(dir);
    await benchState();
    await trackingWrites();
    await benchLedger();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
