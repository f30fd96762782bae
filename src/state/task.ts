// The task document: what Pilot knows about one issue, kept in the tracking comment's hidden marker.
// It is the one authority (DESIGN "State"); anything in the Actions cache only accelerates it.
import { z } from 'zod';
import { MARKER_PREFIX, MARKER_SUFFIX, TASK_STATUSES } from '../constants.js';

/** The version this Pilot writes. Older documents are migrated on read; newer ones are refused. */
export const TASK_VERSION = 1;

export const RunRef = z.object({
  id: z.number().int().positive(),
  kind: z.enum(['gate', 'work', 'post', 'sweep']),
  at: z.string().max(40),
  outcome: z.string().max(40).optional(),
});

const Count = z.number().int().nonnegative();

// New fields are optional so that markers written before them still parse as v1 (and stay compact:
// a field that was never set is not written at all).
export const TaskDoc = z.object({
  v: z.literal(TASK_VERSION),
  rev: Count,
  status: z.enum(TASK_STATUSES),
  branch: z.string().max(255).optional(),
  pr: z.number().int().positive().optional(),
  sessionId: z.string().max(64).optional(),
  /** SHA-256 of the encrypted session archive: a restored archive is used only when it matches. */
  sessionHash: z.string().max(64).optional(),
  /** The session's cumulative cost as the CLI reports it: after `--resume` this run's cost is the difference. */
  sessionCostUsd: z.number().nonnegative().optional(),
  bodyHash: z.string().max(64).optional(),
  attempts: Count,
  ciFixes: Count.optional(),
  reviewRounds: Count.optional(),
  costUsd: z.number().nonnegative(),
  /** Id of the newest `labeled` timeline event a work run served (duplicate label deliveries are ignored). */
  servedLabel: z.number().int().positive().optional(),
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
};

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
 * The run that holds (or last held) the lease: the newest work run while the task says
 * `running`. Any other status means no run claims to be working, whatever the lease ref says.
 */
export function claimedHolder(task: TaskDoc): number | undefined {
  if (task.status !== 'running') return undefined;
  return task.runs.filter((r) => r.kind === 'work').at(-1)?.id;
}

export function renderMarker(task: TaskDoc): string {
  // `>` escaped so the JSON can never close the HTML comment early.
  const json = JSON.stringify(task).replace(/>/g, '\\u003e');
  return `${MARKER_PREFIX} ${json} ${MARKER_SUFFIX}`;
}

export type MarkerRead =
  | { found: false }
  | { found: true; task: TaskDoc }
  | { found: true; error: string; future?: boolean };

export function readMarker(body: string): MarkerRead {
  const start = body.indexOf(MARKER_PREFIX);
  if (start < 0) return { found: false };
  const end = body.indexOf(MARKER_SUFFIX, start + MARKER_PREFIX.length);
  if (end < 0) return { found: true, error: 'marker is not closed' };
  const raw = body.slice(start + MARKER_PREFIX.length, end).trim();
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { found: true, error: `marker is not JSON: ${(error as Error).message}` };
  }
  const parsed = parseTask(json);
  if (parsed.ok) return { found: true, task: parsed.task };
  return { found: true, error: parsed.error, ...(parsed.future && { future: true }) };
}

/** The comment body with its marker replaced (or appended): the visible text stays as it was. */
export function replaceMarker(body: string, task: TaskDoc): string {
  const start = body.indexOf(MARKER_PREFIX);
  const end = start < 0 ? -1 : body.indexOf(MARKER_SUFFIX, start + MARKER_PREFIX.length);
  if (start < 0 || end < 0) return `${body.trimEnd()}\n\n${renderMarker(task)}`;
  return body.slice(0, start) + renderMarker(task) + body.slice(end + MARKER_SUFFIX.length);
}
