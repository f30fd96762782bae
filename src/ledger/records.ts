// What the ledger holds: one JSON line per record, a discriminated union on `kind` with a version
// `v`. Every record carries an idempotency `key` (a run's is `<run id>-<attempt>`), so folding the
// same record twice — after a lost response or a retry — never counts it twice.
import { z } from 'zod';

const base = {
  v: z.literal(1),
  key: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" or "-"'),
  /** When it happened (ISO, UTC): decides the day and month it counts in. */
  at: z.iso.datetime(),
};
const count = z.number().int().nonnegative();

// `paused`: the model API was down and the task waits for the sweep (an older reader skips the record).
export const RUN_OUTCOMES = ['success', 'failure', 'no_changes', 'cancelled', 'skipped', 'paused'] as const;

export const RunRecord = z.object({
  ...base,
  kind: z.literal('run'),
  issue: z.number().int().positive(),
  intent: z.string().max(40),
  outcome: z.enum(RUN_OUTCOMES),
  costUsd: z.number().nonnegative(),
  tokensIn: count.default(0),
  tokensOut: count.default(0),
  // Optional, not defaulted: writers built before cache tokens were counted still type-check.
  tokensCacheRead: count.optional(),
  tokensCacheWrite: count.optional(),
  turns: count,
  durationMs: count,
  model: z.string().max(100).default(''),
  runner: z.string().max(200).default(''),
  runId: z.number().int().positive(),
  attempt: z.number().int().positive(),
});

export const MergeRecord = z.object({
  ...base,
  kind: z.literal('merge'),
  issue: z.number().int().positive(),
  pr: z.number().int().positive(),
  sha: z.string().regex(/^[0-9a-f]{40}$/),
  // Optional (no version bump: older merge records still parse). Written by the merge autopilot.
  /** From the pull request's opening to its merge. */
  timeToMergeMs: count.optional(),
  /** The task's model spend, all runs. */
  costUsd: z.number().nonnegative().optional(),
  /** HMAC under pilot-state-key (src/pipeline/merge-ledger.ts): only an authenticated merge counts toward the hourly cap. */
  mac: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

/** The merge autopilot's own events: a revert, the circuit breaker's pause, a maintainer's resume. */
export const AutopilotRecord = z.object({
  ...base,
  kind: z.literal('autopilot'),
  event: z.enum(['paused', 'resumed', 'reverted']),
  issue: z.number().int().positive().optional(),
  /** Who resumed (a maintainer's login). */
  by: z.string().max(100).optional(),
  /** HMAC under pilot-state-key: a resume counts only when Pilot wrote it. */
  mac: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

export const BudgetRecord = z.object({
  ...base,
  kind: z.literal('budget'),
  event: z.enum(['warning', 'exceeded', 'override']),
  budget: z.enum(['daily', 'monthly']),
  spentUsd: z.number().nonnegative(),
  limitUsd: z.number().nonnegative(),
  issue: z.number().int().positive().optional(),
});

export const MemoryRecord = z.object({
  ...base,
  kind: z.literal('memory'),
  topic: z.string().max(200),
  text: z.string().max(4000),
  issue: z.number().int().positive().optional(),
});

/** A learning's id, as `/pilot memory` lists it and `/pilot forget <id>` names it. */
export const LearningId = z.string().regex(/^m-[0-9a-f]{6,12}$/, 'an id like m-1a2b3c');
const Mac = z.string().regex(/^[0-9a-f]{64}$/, 'an HMAC (64 hex digits)');
export const LEARNING_SOURCES = ['review', 'ci', 'maintainer'] as const;

/**
 * A learning (src/ledger/memory.ts): text a maintainer asked Pilot to remember, or a lesson a
 * maintainer approved. `mac` seals it under pilot-state-key: anyone with write access can move a
 * ref, and only a record Pilot sealed reaches a prompt.
 */
export const LearningRecord = z.object({
  ...base,
  kind: z.literal('learning'),
  id: LearningId,
  text: z.string().min(1).max(1000),
  source: z.enum(LEARNING_SOURCES),
  paths: z.array(z.string().max(300)).max(20).default([]),
  /** The maintainer who wrote or approved it. */
  by: z.string().max(120),
  mac: Mac,
});

/** `/pilot forget <id>`: a tombstone, sealed like a learning. */
export const ForgetRecord = z.object({
  ...base,
  kind: z.literal('forget'),
  id: LearningId,
  by: z.string().max(120),
  mac: Mac,
});

/** Learnings a run's prompt carried: their hits go up by one, batched into one record per run. */
export const LearningHitsRecord = z.object({
  ...base,
  kind: z.literal('learning-hits'),
  ids: z.array(LearningId).max(50),
});

export const OpsRecord = z.object({
  ...base,
  kind: z.literal('ops'),
  service: z.string().max(200),
  event: z.enum(['check_failed', 'check_passed', 'remediated', 'escalated']),
  tier: z.number().int().min(1).max(3).optional(),
  detail: z.string().max(2000).default(''),
  // Ops mode (issue 22), optional so older lines still read: the playbook a remediation ran (its
  // cooldown counts these) and who approved a tier-3 one.
  playbook: z.string().max(40).optional(),
  approver: z.string().max(100).optional(),
});
export type OpsRecord = z.infer<typeof OpsRecord>;

export const LedgerRecord = z.discriminatedUnion('kind', [
  RunRecord,
  MergeRecord,
  AutopilotRecord,
  BudgetRecord,
  MemoryRecord,
  OpsRecord,
  LearningRecord,
  ForgetRecord,
  LearningHitsRecord,
]);
export type LedgerRecord = z.infer<typeof LedgerRecord>;
export type RunRecord = z.infer<typeof RunRecord>;
export type LearningRecord = z.infer<typeof LearningRecord>;
export type ForgetRecord = z.infer<typeof ForgetRecord>;
export type MergeRecord = z.infer<typeof MergeRecord>;
export type AutopilotRecord = z.infer<typeof AutopilotRecord>;

/** A run's idempotency key: a re-run (new attempt) is a new record, a retry of the same is not. */
export function runKey(runId: number, attempt: number): string {
  return `${runId}-${attempt}`;
}

/** A line that did not parse as a record: skipped, and said where. */
export interface Problem {
  where: string;
  message: string;
}

/** Parses JSON Lines; a corrupt or unknown line is skipped and reported, never fatal. */
export function parseLines(text: string, where: string): { records: LedgerRecord[]; problems: Problem[] } {
  const records: LedgerRecord[] = [];
  const problems: Problem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseRecord(line);
    if (parsed.ok) records.push(parsed.record);
    else problems.push({ where: `${where}:${i + 1}`, message: parsed.message });
  });
  return { records, problems };
}

export function parseRecord(
  text: string,
): { ok: true; record: LedgerRecord } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'not JSON' };
  }
  const parsed = LedgerRecord.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  return {
    ok: false,
    message: parsed.error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; '),
  };
}
