// The task document: what Pilot knows about one issue, kept in the tracking comment's hidden marker.
import { z } from 'zod';
import { MARKER_PREFIX, MARKER_SUFFIX, TASK_STATUSES } from '../constants.js';

const RunRef = z.object({
  id: z.number().int().positive(),
  kind: z.enum(['gate', 'work', 'post']),
  at: z.string().max(40),
  outcome: z.string().max(40).optional(),
});

export const TaskDoc = z.object({
  v: z.literal(1),
  rev: z.number().int().nonnegative(),
  status: z.enum(TASK_STATUSES),
  branch: z.string().max(255).optional(),
  pr: z.number().int().positive().optional(),
  sessionId: z.string().max(64).optional(),
  bodyHash: z.string().max(64).optional(),
  attempts: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  runs: z.array(RunRef).max(10),
});
export type TaskDoc = z.infer<typeof TaskDoc>;
export type RunRef = z.infer<typeof RunRef>;

export function newTask(): TaskDoc {
  return { v: 1, rev: 0, status: 'queued', attempts: 0, costUsd: 0, runs: [] };
}

/** Records a run (newest last, at most 10) and bumps `rev`. */
export function withRun(task: TaskDoc, run: RunRef): TaskDoc {
  const runs = [...task.runs.filter((r) => !(r.id === run.id && r.kind === run.kind)), run].slice(-10);
  return { ...task, runs, rev: task.rev + 1 };
}

export function renderMarker(task: TaskDoc): string {
  // `>` escaped so the JSON can never close the HTML comment early.
  const json = JSON.stringify(task).replace(/>/g, '\\u003e');
  return `${MARKER_PREFIX} ${json} ${MARKER_SUFFIX}`;
}

export type MarkerRead = { found: false } | { found: true; task: TaskDoc } | { found: true; error: string };

export function readMarker(body: string): MarkerRead {
  const start = body.indexOf(MARKER_PREFIX);
  if (start < 0) return { found: false };
  const end = body.indexOf(MARKER_SUFFIX, start + MARKER_PREFIX.length);
  if (end < 0) return { found: true, error: 'marker is not closed' };
  const raw = body.slice(start + MARKER_PREFIX.length, end).trim();
  try {
    const parsed = TaskDoc.safeParse(JSON.parse(raw));
    return parsed.success ? { found: true, task: parsed.data } : { found: true, error: parsed.error.message };
  } catch (error) {
    return { found: true, error: `marker is not JSON: ${(error as Error).message}` };
  }
}
