// The task document: what Pilot knows about one issue, kept in the tracking comment's hidden marker.
// It is the one authority (DESIGN "State"); anything in the Actions cache only accelerates it.
import { z } from 'zod';
import { MARKER_PREFIX, MARKER_SUFFIX, TASK_STATUSES } from '../constants.js';
import { messageOf } from '../errors.js';
import type { StateSeal } from '../security/state-key.js';

/** The version this Pilot writes. Older documents are migrated on read; newer ones are refused. */
export const TASK_VERSION = 3;

/** How much of a `/pilot plan` the marker keeps for the next `/pilot run` (a comment holds 65,536). */
export const PLAN_MAX = 6_000;

/** Why the last run failed, kept for `/pilot retry` (short: the marker is not a log). */
export const Failure = z.object({
  reason: z.string().max(500),
  /** The limit that stopped the agent, when one did. */
  limit: z.enum(['max_turns', 'budget', 'timeout', 'cancelled']).optional(),
  /** The last tool errors the agent saw, newest last. */
  toolErrors: z.array(z.string().max(300)).max(3).optional(),
});
export type Failure = z.infer<typeof Failure>;

export const RunRef = z.object({
  id: z.number().int().positive(),
  kind: z.enum(['gate', 'work', 'post', 'sweep']),
  at: z.string().max(40),
  outcome: z.string().max(40).optional(),
});

const Count = z.number().int().nonnegative();

/** How much of each sub-task's body an epic's marker keeps (ten of them must fit one comment). */
export const EPIC_BODY_MAX = 2_000;

/** One sub-task of an epic's plan as the marker keeps it; `issue` once its sub-issue exists. */
export const EpicTask = z.object({
  title: z.string().max(200),
  body: z.string().max(EPIC_BODY_MAX),
  dependsOn: z.array(Count).max(20),
  size: z.string().max(20),
  issue: z.number().int().positive().optional(),
});

/** An epic's plan (docs/epics.md) and whether a maintainer approved it. */
export const EpicDoc = z.object({
  tasks: z.array(EpicTask).max(50),
  approved: z.boolean().optional(),
});
export type EpicDoc = z.infer<typeof EpicDoc>;

// New fields are optional so that markers written before them still parse as v1 (and stay compact:
// a field that was never set is not written at all).
export const TaskDoc = z.object({
  v: z.literal(TASK_VERSION),
  rev: Count,
  status: z.enum(TASK_STATUSES),
  branch: z.string().max(255).optional(),
  pr: z.number().int().positive().optional(),
  /** The commit Pilot last pushed to `branch`: reviews and CI failures count only for this head. */
  headSha: z
    .string()
    .regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/)
    .optional(),
  sessionId: z.string().max(64).optional(),
  /** SHA-256 of the encrypted session archive: a restored archive is used only when it matches. */
  sessionHash: z.string().max(64).optional(),
  /** The session's cumulative cost as the CLI reports it: after `--resume` this run's cost is the difference. */
  sessionCostUsd: z.number().nonnegative().optional(),
  bodyHash: z.string().max(64).optional(),
  attempts: Count,
  ciFixes: Count.optional(),
  reviewRounds: Count.optional(),
  /** v3: gate rounds the last work run used (each round is one resumed session after a failing gate). */
  gateRounds: Count.optional(),
  /** v3: the last CI failure's signature (job, step, normalised first error): the same one twice stops. */
  ciSignature: z.string().max(300).optional(),
  /**
   * Short hashes of the CI failure signatures seen on this task (newest last): a signature never seen
   * gets the flake check. Optional, so no version bump: older markers simply have seen none.
   */
  ciSeen: z
    .array(z.string().regex(/^[0-9a-f]{12}$/))
    .max(10)
    .optional(),
  /** v3: the workflow run Pilot asked GitHub to rerun (flake check); its result returns the task to `pr_open`. */
  ciRerun: z.number().int().positive().optional(),
  /** v3: why the task is `paused` and what resumes it (e.g. the model API's outage). */
  pausedFor: z.string().max(300).optional(),
  /** Times the sweep resumed the task after an outage (bounded, src/pipeline/resume-paused.ts). Optional: no version bump. */
  resumes: z.number().int().nonnegative().max(100).optional(),
  costUsd: z.number().nonnegative(),
  /** Id of the newest `labeled` timeline event a work run served (duplicate label deliveries are ignored). */
  servedLabel: z.number().int().positive().optional(),
  /** v2: the plan `/pilot plan` wrote, given to the next `/pilot run` (the agent's words: quoted as data). */
  plan: z.string().max(PLAN_MAX).optional(),
  /** v2: why the last work run failed, given to `/pilot retry`. */
  failure: Failure.optional(),
  /**
   * A lesson the model distilled after a review round or a CI fix, proposed in the tracking comment and
   * kept in memory only once a maintainer reacts 👍 (src/pipeline/memory-lessons.ts). Optional, so v3
   * documents without it stay valid: no version bump.
   */
  lesson: z
    .object({ text: z.string().max(600), source: z.enum(['review', 'ci']), at: z.iso.datetime() })
    .optional(),
  /** An epic's validated plan (src/pipeline/epic.ts). Optional in the v3 document: no version bump. */
  epic: EpicDoc.optional(),
  runs: z.array(RunRef).max(10),
});
export type TaskDoc = z.infer<typeof TaskDoc>;
export type RunRef = z.infer<typeof RunRef>;

type Raw = Record<string, unknown>;

/**
 * Step `n` turns a version-`n` document into version `n + 1`. Version 0 is the prototype's marker,
 * which carried no `v` and no `runs`.
 */
export const MIGRATIONS: Record<number, (doc: Raw) => Raw> = {
  0: (doc) => ({ runs: [], attempts: 0, costUsd: 0, rev: 0, ...doc, v: 1 }),
  // v2 adds `plan` and `failure`, both optional: a v1 document is a v2 one without them.
  1: (doc) => ({ ...doc, v: 2 }),
  // v3 adds the statuses `review_fixing` and `paused` and the optional autopilot counters: a v2
  // document is a v3 one without them. A v2 Pilot reading a v3 status refuses it (never starts afresh).
  2: (doc) => ({ ...doc, v: 3 }),
};

const KNOWN_STATUSES: ReadonlySet<unknown> = new Set(TASK_STATUSES);

export type ParsedTask = { ok: true; task: TaskDoc } | { ok: false; error: string; future?: boolean };

/** Validates any stored task document (marker or cache), migrating older versions first. */
export function parseTask(value: unknown): ParsedTask {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'the task document is not an object' };
  }
  let doc = value as Raw;
  const version = doc.v === undefined ? 0 : doc.v;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, error: `the task document has an invalid version ${JSON.stringify(version)}` };
  }
  if (version > TASK_VERSION) {
    return {
      ok: false,
      future: true,
      error: `the task document is version ${version}, newer than this Pilot understands (${TASK_VERSION})`,
    };
  }
  for (let v = version; v < TASK_VERSION; v++) doc = MIGRATIONS[v](doc);
  // A status this Pilot does not know was written by a newer one: the task is not to be overwritten.
  if (!KNOWN_STATUSES.has(doc.status)) {
    const status = JSON.stringify(doc.status)?.slice(0, 40) ?? 'none';
    return {
      ok: false,
      future: true,
      error: `the task has status ${status}, which this Pilot does not know`,
    };
  }
  const parsed = TaskDoc.safeParse(doc);
  return parsed.success ? { ok: true, task: parsed.data } : { ok: false, error: parsed.error.message };
}

export function newTask(): TaskDoc {
  return { v: TASK_VERSION, rev: 0, status: 'queued', attempts: 0, costUsd: 0, runs: [] };
}

/** Records a run (newest last, at most 10) and bumps `rev`. */
export function withRun(task: TaskDoc, run: RunRef): TaskDoc {
  const runs = [...task.runs.filter((r) => !(r.id === run.id && r.kind === run.kind)), run].slice(-10);
  return { ...task, runs, rev: task.rev + 1 };
}

/**
 * A work run is (or claims to be) working on the task: `running`, a review round (`review_fixing`,
 * written only by the work run) or a CI fix under way (see `fixingCi`).
 */
export function isWorking(task: TaskDoc): boolean {
  return task.status === 'running' || task.status === 'review_fixing' || fixingCi(task);
}

/**
 * The run that holds (or last held) the issue's lease: the newest work run while the task says
 * `running`. Any other status means no run claims to be working, whatever the lease ref says.
 */
export function claimedHolder(task: TaskDoc): number | undefined {
  if (!isWorking(task)) return undefined;
  return task.runs.filter((r) => r.kind === 'work').at(-1)?.id;
}

/**
 * A work run fixing CI claims the task like a running one. `ci_fixing` written by the gate (a fix asked
 * for) or while a flake check's rerun is pending (`ciRerun`) claims nothing: no run is working then.
 */
function fixingCi(task: TaskDoc): boolean {
  return task.status === 'ci_fixing' && task.ciRerun === undefined && task.runs.at(-1)?.kind === 'work';
}

/** The seal and the issue a marker belongs to: a marker verifies only for its own issue. */
export interface MarkerKey {
  seal: StateSeal;
  issue: number;
}

const MAC_SEPARATOR = ' mac:';

function markerJson(task: TaskDoc): string {
  // `>` escaped so the JSON can never close the HTML comment early.
  return JSON.stringify(task).replace(/>/g, '\\u003e');
}

export function renderMarker(task: TaskDoc, key: MarkerKey): string {
  const json = markerJson(task);
  const mac = key.seal.sign({ purpose: 'task', issue: key.issue }, json);
  return `${MARKER_PREFIX} ${json}${MAC_SEPARATOR}${mac} ${MARKER_SUFFIX}`;
}

export type MarkerRead =
  | { found: false }
  | { found: true; task: TaskDoc }
  | { found: true; error: string; future?: boolean; forged?: boolean };

/**
 * Where the trailing marker is: Pilot writes it last, after everything it shows. A marker anywhere
 * else (inside text Pilot quoted, or in a body someone else shaped) is not Pilot's.
 */
function trailingMarker(body: string): { start: number; end: number } | null {
  const trimmed = body.trimEnd();
  const start = trimmed.lastIndexOf(MARKER_PREFIX);
  if (start < 0 || !trimmed.endsWith(MARKER_SUFFIX)) return null;
  const end = trimmed.length - MARKER_SUFFIX.length;
  return end >= start + MARKER_PREFIX.length ? { start, end } : null;
}

/** Reads the trailing marker; one that verifies under neither key is `forged`, whatever it says. */
export function readMarker(body: string, key: MarkerKey): MarkerRead {
  if (!body.includes(MARKER_PREFIX)) return { found: false };
  const at = trailingMarker(body);
  if (!at) return { found: true, forged: true, error: 'the marker is not the last thing in the comment' };
  const raw = body.slice(at.start + MARKER_PREFIX.length, at.end).trim();
  const cut = raw.lastIndexOf(MAC_SEPARATOR);
  const json = cut < 0 ? raw : raw.slice(0, cut);
  const mac = cut < 0 ? '' : raw.slice(cut + MAC_SEPARATOR.length);
  if (!key.seal.verify({ purpose: 'task', issue: key.issue }, json, mac)) {
    return { found: true, forged: true, error: 'the marker does not verify under pilot-state-key' };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { found: true, error: `marker is not JSON: ${messageOf(error)}` };
  }
  const parsed = parseTask(value);
  if (parsed.ok) return { found: true, task: parsed.task };
  return { found: true, error: parsed.error, ...(parsed.future && { future: true }) };
}

/** The comment body with its trailing marker replaced (or appended): the visible text stays as it was. */
export function replaceMarker(body: string, task: TaskDoc, key: MarkerKey): string {
  const at = trailingMarker(body);
  if (!at) return `${body.trimEnd()}\n\n${renderMarker(task, key)}`;
  return body.slice(0, at.start) + renderMarker(task, key);
}
