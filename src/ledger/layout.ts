// Where things live in the ledger's tree, spelled once:
//   head.json                          the index: current segment, recent segments, hot totals, streak
//   segments/<yyyy-mm>/<nnnn>.jsonl    append-only JSON Lines, rolled at a record or byte bound
//   totals/day/<yyyy-mm>/<dd>.json     running totals of one UTC day (and the keys folded that day)
//   totals/month/<yyyy-mm>.json        running totals of one UTC month
//   totals/all.json                    running totals since the ledger began (counters for metrics)
// Directory sizes stay bounded (≤ 31 days per month directory), so every path is a fixed depth.
import { createHash } from 'node:crypto';

export const LEDGER_REF = 'refs/pilot/ledger';
// Not under `refs/pilot/ledger/`: git cannot hold a ref and refs below it (a file and a directory
// of the same name), so GitHub would refuse `refs/pilot/ledger/pending/…` beside the ledger ref.
export const PENDING_PREFIX = 'refs/pilot/ledger-pending/';
export const HEAD_PATH = 'head.json';

export interface Limits {
  /** A segment rolls once it holds this many records… */
  segmentRecords: number;
  /** …or this many bytes. */
  segmentBytes: number;
  /** Segments `head.json` remembers for `readRecent`. */
  recentSegments: number;
}

export const DEFAULT_LIMITS: Limits = { segmentRecords: 1000, segmentBytes: 256 * 1024, recentSegments: 8 };

export type PeriodKind = 'day' | 'month';

/** The period of `totals/all.json`: every record ever folded, so metrics' counters only grow. */
export const ALL_TIME = 'all';

/** `2026-12-03` (day) or `2026-12` (month). */
export function periodOf(at: string, kind: PeriodKind): string {
  return at.slice(0, kind === 'day' ? 10 : 7);
}

export function periodKind(period: string): PeriodKind | typeof ALL_TIME {
  if (period === ALL_TIME) return ALL_TIME;
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) return 'day';
  if (/^\d{4}-\d{2}$/.test(period)) return 'month';
  throw new Error(
    `Ledger period "${period}" is neither a day (YYYY-MM-DD), a month (YYYY-MM) nor "${ALL_TIME}"`,
  );
}

export function totalsPath(period: string): string {
  const kind = periodKind(period);
  if (kind === ALL_TIME) return `totals/${ALL_TIME}.json`;
  return kind === 'day'
    ? `totals/day/${period.slice(0, 7)}/${period.slice(8)}.json`
    : `totals/month/${period}.json`;
}

export function segmentPath(month: string, seq: number): string {
  return `segments/${month}/${String(seq).padStart(4, '0')}.jsonl`;
}

/** `{ref}` as the REST path wants it: without the leading `refs/`. */
export function restRef(full: string): string {
  return full.replace(/^refs\//, '');
}

export function pendingRef(key: string): string {
  return `${PENDING_PREFIX}${key}`;
}

/** The sha git (and GitHub) gives a blob with this content, known before it is written. */
export function blobSha(content: string): string {
  const body = Buffer.from(content, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`blob ${body.length}\0`), body]))
    .digest('hex');
}
