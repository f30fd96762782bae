// The merge autopilot's limits, read from the ledger, and its records. Merges and resumes carry an
// HMAC under pilot-state-key: the ledger is a ref anyone with `contents: write` can move, so a merge
// record Pilot did not write never counts toward the hourly cap, and a resume Pilot did not write
// never closes the circuit breaker. (Forged failures could only pause merging: that fails closed.)
import * as core from '@actions/core';
import { appendRecords } from '../ledger/append.js';
import { readRecent } from '../ledger/read.js';
import type { AutopilotRecord, LedgerRecord, MergeRecord } from '../ledger/records.js';
import { failureMessage } from '../report/github-errors.js';
import type { Deps } from './deps.js';

const HOUR_MS = 3_600_000;
/** How far back the limits look: the hour's merges and the streak since the last resume. */
const RECENT_RECORDS = 300;

function macText(r: MergeRecord | AutopilotRecord): string {
  return r.kind === 'merge'
    ? `merge|${r.key}|${r.at}|${r.issue}|${r.pr}|${r.sha}`
    : `autopilot|${r.key}|${r.at}|${r.event}|${r.issue ?? ''}|${r.by ?? ''}`;
}

export function sealed<T extends MergeRecord | AutopilotRecord>(deps: Pick<Deps, 'seal'>, record: T): T {
  return { ...record, mac: deps.seal.sign({ purpose: 'ledger' }, macText(record)) };
}

export function authentic(deps: Pick<Deps, 'seal'>, record: MergeRecord | AutopilotRecord): boolean {
  return !!record.mac && deps.seal.verify({ purpose: 'ledger' }, macText(record), record.mac);
}

export interface MergeLimits {
  mergesLastHour: number;
  /** Failed or reverted tasks in a row since the last authenticated resume (the longest streak). */
  streak: number;
  /** A `paused` record was written since the last resume (the notice went out once already). */
  pausedNoted: boolean;
}

/** Counts the window newest first, up to the last resume Pilot wrote. */
export function limitsOf(deps: Pick<Deps, 'seal' | 'now'>, newestFirst: LedgerRecord[]): MergeLimits {
  const since = deps.now() - HOUR_MS;
  const out: MergeLimits = { mergesLastHour: 0, streak: 0, pausedNoted: false };
  let run = 0;
  for (const r of newestFirst) {
    if (r.kind === 'autopilot' && r.event === 'resumed' && authentic(deps, r)) break;
    if (r.kind === 'merge' && Date.parse(r.at) >= since && authentic(deps, r)) out.mergesLastHour++;
    if (r.kind === 'autopilot' && r.event === 'paused') out.pausedNoted = true;
    const failed =
      (r.kind === 'run' && r.outcome === 'failure') || (r.kind === 'autopilot' && r.event === 'reverted');
    if (failed) run++;
    else if (r.kind === 'run' && (r.outcome === 'success' || r.outcome === 'no_changes')) run = 0;
    out.streak = Math.max(out.streak, run);
  }
  return out;
}

const where = (deps: Deps) => ({ octokit: deps.octokit, repo: deps.ctx.repo });

export async function readMergeLimits(deps: Deps): Promise<MergeLimits> {
  const { records } = await readRecent(where(deps), RECENT_RECORDS);
  return limitsOf(deps, records);
}

/** Appends straight to the ledger (merges are rare; their cap must see them at once, not after a fold). */
export async function appendLedger(deps: Deps, records: LedgerRecord[]): Promise<boolean> {
  try {
    await appendRecords(where(deps), records, { now: () => new Date(deps.now()).toISOString() });
    return true;
  } catch (error) {
    core.warning(
      `Ledger: could not record ${records.map((r) => r.kind).join(', ')} (${failureMessage(error)})`,
    );
    return false;
  }
}

export function autopilotRecord(
  deps: Deps,
  event: AutopilotRecord['event'],
  fields: { issue?: number; by?: string } = {},
): AutopilotRecord {
  const at = new Date(deps.now()).toISOString();
  const key = `autopilot-${event}-${deps.ctx.runId}-${deps.ctx.runAttempt}-${fields.issue ?? 0}`;
  return sealed(deps, { v: 1, kind: 'autopilot', key, at, event, ...fields });
}
