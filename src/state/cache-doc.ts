// The task document's copy in the Actions cache. It is only an accelerator: used when its `rev` matches
// the marker (the authority), and it carries the longer run history the marker has no room for.
// Anything wrong with it (missing, corrupt, a future version, another rev) means: rebuild from the
// marker and carry on.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as cache from '@actions/cache';
import * as core from '@actions/core';
import { z } from 'zod';
import { CACHE_KEY_PREFIX } from '../constants.js';
import { messageOf } from '../errors.js';
import { parseTask, RunRef, type TaskDoc } from './task.js';

export const CACHE_DOC_VERSION = 1;
const HISTORY_MAX = 200;

export interface CacheDoc {
  v: number;
  issue: number;
  task: TaskDoc;
  /** Every run Pilot recorded for the task, oldest first (the marker keeps the last 10). */
  history: RunRef[];
}

const Envelope = z.object({
  v: z.number().int().positive(),
  issue: z.number().int().positive(),
  task: z.unknown(),
  history: z.array(RunRef).max(HISTORY_MAX),
});

export type CacheRead =
  | { status: 'hit'; doc: CacheDoc; key: string }
  | { status: 'miss' }
  | { status: 'invalid'; reason: string };

export function taskKeyPrefix(issue: number): string {
  return `${CACHE_KEY_PREFIX}-task-${issue}-`;
}

/** One key per run and attempt: cache entries are immutable, and restore picks the newest by prefix. */
export function taskKey(issue: number, runId: number, attempt: number): string {
  return `${taskKeyPrefix(issue)}${runId}-${attempt}`;
}

/**
 * Absolute, and the same string on every run (the cache version hashes the path list), under
 * RUNNER_TEMP so the agent's working tree never sees it.
 */
export function taskDocPath(runnerTemp: string, issue: number): string {
  return path.join(runnerTemp, 'pilot-state', `task-${issue}.json`);
}

export function parseCacheDoc(text: string, issue: number): CacheDoc | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `not JSON (${messageOf(error).slice(0, 80)})` };
  }
  const envelope = Envelope.safeParse(json);
  if (!envelope.success) {
    const v = (json as { v?: unknown } | null)?.v;
    if (typeof v === 'number' && v > CACHE_DOC_VERSION) return { error: `future version ${v}` };
    return { error: `unexpected shape (${envelope.error.issues[0]?.message ?? 'invalid'})` };
  }
  const e = envelope.data;
  if (e.v > CACHE_DOC_VERSION) return { error: `future version ${e.v}` };
  if (e.issue !== issue) return { error: `written for issue #${e.issue}` };
  const task = parseTask(e.task);
  if (!task.ok) return { error: task.error };
  return { v: e.v, issue: e.issue, task: task.task, history: e.history };
}

export async function restoreTaskDoc(runnerTemp: string, issue: number): Promise<CacheRead> {
  if (!cache.isFeatureAvailable()) return { status: 'miss' };
  const file = taskDocPath(runnerTemp, issue);
  let key: string | undefined;
  try {
    key = await cache.restoreCache([file], taskKeyPrefix(issue));
  } catch (error) {
    return { status: 'invalid', reason: `restore failed: ${messageOf(error)}` };
  }
  if (!key) return { status: 'miss' };
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return { status: 'invalid', reason: `entry ${key} holds no task document` };
  const doc = parseCacheDoc(text, issue);
  return 'error' in doc ? { status: 'invalid', reason: `${key}: ${doc.error}` } : { status: 'hit', doc, key };
}

/** The history to continue: the cached one when it describes the marker's revision, else the marker's runs. */
export function reconcile(marker: TaskDoc | null, read: CacheRead): { history: RunRef[]; note: string } {
  const fromMarker = marker?.runs ?? [];
  if (read.status === 'invalid') {
    core.warning(
      `Pilot's cached task document is unusable (${read.reason}); rebuilding it from the tracking comment`,
    );
    return { history: fromMarker, note: 'rebuilt from the tracking comment (cache unusable)' };
  }
  if (read.status === 'miss')
    return { history: fromMarker, note: 'rebuilt from the tracking comment (no cache entry)' };
  if (!marker || read.doc.task.rev > marker.rev) {
    // A cache that claims to be ahead of the authority is not believed at all.
    core.info(
      `Cached task document is at rev ${read.doc.task.rev}, the tracking comment at ${marker?.rev ?? 'none'}: ignoring the cache`,
    );
    return { history: fromMarker, note: 'rebuilt from the tracking comment (cache ahead of it)' };
  }
  if (read.doc.task.rev < marker.rev) {
    // Older but consistent (a gate run wrote the marker since): its runs happened; the state is the marker's.
    return {
      history: mergeHistory(read.doc.history, fromMarker),
      note: `the tracking comment, with older history from the cache (${read.key})`,
    };
  }
  return { history: mergeHistory(read.doc.history, fromMarker), note: `from the cache (${read.key})` };
}

/** Union by (id, kind), oldest first, capped. */
export function mergeHistory(...lists: RunRef[][]): RunRef[] {
  const seen = new Map<string, RunRef>();
  for (const run of lists.flat()) seen.set(`${run.kind}:${run.id}`, run);
  return [...seen.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).slice(-HISTORY_MAX);
}

export type SaveResult = 'saved' | 'read-only' | 'refused' | 'unavailable';

let toldReadOnly = false;

export async function saveTaskDoc(
  runnerTemp: string,
  doc: CacheDoc,
  run: { id: number; attempt: number },
): Promise<SaveResult> {
  // Untrusted triggers get a read-only cache token (FACTS: read-only caches); the runner says so in
  // ACTIONS_CACHE_MODE. Saying it once is enough; trying would only add the library's warning.
  if ((process.env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase() === 'read') {
    if (!toldReadOnly)
      core.info('The Actions cache is read-only in this run: the task document is not cached');
    toldReadOnly = true;
    return 'read-only';
  }
  if (!cache.isFeatureAvailable()) return 'unavailable';
  const file = taskDocPath(runnerTemp, doc.issue);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(doc));
  const key = taskKey(doc.issue, run.id, run.attempt);
  try {
    const id = await cache.saveCache([file], key);
    // -1: the service refused (read-only token, an existing key); never claim that as saved.
    if (id === -1) {
      core.info(`The Actions cache did not accept ${key}; the tracking comment remains the record`);
      return 'refused';
    }
    core.info(`Cached the task document as ${key}`);
    return 'saved';
  } catch (error) {
    core.warning(`Could not cache the task document: ${messageOf(error)}`);
    return 'refused';
  }
}
