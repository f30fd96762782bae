// `npm run bench`: prints figures, asserts nothing. Agent setup three ways (claude on PATH; warm from
// the Actions cache emulator with the real @actions/cache; cold npm install of the pinned CLI) and the
// tracking-comment writes a 1,000-event stream causes over 60 s of simulated time; before those, the
// main step's start-up (scripts/bench-start.ts).
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
import { startup } from './bench-start.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REAL_BINARY = path.join(ROOT, 'node_modules/@anthropic-ai/claude-code-linux-x64/claude');
const VERSION = DEFAULT_CLAUDE_CODE_VERSION;

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

async function onPath(dir: string): Promise<number> {
  const bin = path.join(dir, 'path-bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(REAL_BINARY, path.join(bin, 'claude'));
  freshRunner(dir, 'path');
  const run = await timed(() => installClaude({ version: VERSION, pathEnv: bin }));
  console.log(`on PATH:            ${run.seconds.toFixed(3)} s (${run.value.source})`);
  return run.seconds;
}

async function warm(dir: string): Promise<number> {
  const service = await startCacheService();
  try {
    Object.assign(
      process.env,
      cacheEnv(service, service.tokenFor({ ref: 'refs/heads/main', mode: 'write' })),
    );
    // An earlier trusted run installed it and saved it (not timed).
    freshRunner(dir, 'warm');
    const toolDir = path.join(process.env.RUNNER_TOOL_CACHE as string, 'claude-code', VERSION, 'x64');
    mkdirSync(toolDir, { recursive: true });
    copyFileSync(REAL_BINARY, path.join(toolDir, 'claude'));
    await quietly(() => cache.saveCache([toolDir], binaryCacheKey(VERSION, 'linux-x64')));
    const size = service.listEntries()[0]?.size_in_bytes ?? 0;
    rmSync(path.dirname(path.dirname(toolDir)), { recursive: true, force: true });
    const run = await timed(() =>
      quietly(() => installClaude({ version: VERSION, pathEnv: '/nonexistent' })),
    );
    console.log(
      `warm (Actions cache): ${run.seconds.toFixed(3)} s (${run.value.source}; ${(size / 1e6).toFixed(0)} MB archive)`,
    );
    return run.seconds;
  } finally {
    await service.close();
  }
}

function registryReachable(): boolean {
  try {
    execFileSync('npm', ['ping'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

async function cold(dir: string): Promise<number | null> {
  if (!registryReachable()) {
    console.log('cold (npm install):   skipped: no registry');
    return null;
  }
  freshRunner(dir, 'cold');
  process.env.ACTIONS_CACHE_MODE = 'none'; // time the install, not a save
  // A machine without Claude Code: PATH minus every directory that holds a `claude` (npm run adds
  // node_modules/.bin), so the installer really goes to npm.
  const pathEnv = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((d) => d && !existsSync(path.join(d, 'claude')))
    .join(path.delimiter);
  const run = await timed(() => quietly(() => installClaude({ version: VERSION, pathEnv })));
  console.log(`cold (npm install):   ${run.seconds.toFixed(3)} s (${run.value.source})`);
  return run.seconds;
}

function streamEvent(i: number): StreamEvent {
  const tool =
    i % 50 === 0
      ? { name: 'TodoWrite', input: { todos: [{ content: `step ${i / 50}`, status: 'in_progress' }] } }
      : { name: 'Edit', input: { file_path: `/w/src/file-${i}.ts` } };
  const line = { type: 'assistant', message: { content: [{ type: 'tool_use', id: `t${i}`, ...tool }] } };
  return parseStreamLine(JSON.stringify(line)) as StreamEvent;
}

/** Tracking-comment writes for 1,000 stream events spread over `seconds` of simulated time. */
async function progressWrites(seconds: number): Promise<number> {
  const timers = simulatedTimers();
  const progress = new Progress({ timers, write: async () => undefined });
  for (let i = 0; i < 1000; i++) {
    progress.onEvent(streamEvent(i));
    timers.advance(seconds);
  }
  await progress.stop();
  const target = Math.floor(seconds / 10) + 2;
  console.log(
    `tracking-comment writes, 1,000 events over ${String(seconds).padStart(4)} s (simulated): ${progress.writes} (target ≤ ${target} = duration/10 + 2)`,
  );
  return progress.writes;
}

/** Runs `fn` with the toolkit's own log lines (`[command]…`, cache progress) kept off the bench's output. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pilot-bench-'));
  try {
    await startup(ROOT);
    console.log(`Claude Code ${VERSION} agent setup:`);
    await onPath(dir);
    const warmSeconds = await warm(dir);
    const coldSeconds = await cold(dir);
    if (coldSeconds)
      console.log(`warm/cold ratio:      ${(warmSeconds / coldSeconds).toFixed(2)} (target ≤ 0.5)`);
    for (const seconds of [60, 600, 3600]) await progressWrites(seconds);
    await benchLedger();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
