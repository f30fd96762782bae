// Concurrency groups of a workflow, and the caller/callee clash GitHub cancels as a deadlock.
import { render } from './expression.js';
import { asObj, jobs, type Obj } from './load.js';

export interface Group {
  /** `workflow` or the job id. */
  where: string;
  group: string;
  queue?: unknown;
}

function groupOf(where: string, concurrency: unknown): Group | undefined {
  if (typeof concurrency === 'string') return { where, group: concurrency };
  const c = asObj(concurrency);
  if (typeof c.group !== 'string') return undefined;
  return { where, group: c.group, queue: c.queue };
}

export function concurrencyGroups(doc: Obj): Group[] {
  const found = [groupOf('workflow', doc.concurrency)];
  for (const [id, job] of jobs(doc)) found.push(groupOf(id, job.concurrency));
  return found.filter((g): g is Group => g !== undefined);
}

const normalize = (expr: string) => expr.replace(/\s+/g, '');

/**
 * Sample runs of a work dispatch, as both the caller and the callee see them (inside a reusable
 * workflow the `github` context is the caller's).
 */
export const SAMPLE_CONTEXTS: Array<Record<string, unknown>> = [
  { event_name: 'repository_dispatch', event: { action: 'pilot', client_payload: { issue: 7 } }, inputs: {} },
  { event_name: 'workflow_dispatch', event: { inputs: { issue: '7' } }, inputs: { issue: '7' } },
  { event_name: 'schedule', event: {}, inputs: {} },
].map(({ inputs, ...github }) => ({
  github: { ...github, workflow: 'Pilot', repository: 'o/r', ref: 'refs/heads/main' },
  inputs,
  needs: {
    route: { outputs: { intent: JSON.stringify({ issue: github.event_name === 'schedule' ? null : 7 }) } },
  },
}));

function renderSafely(expr: string, context: Record<string, unknown>): string | undefined {
  try {
    return render(expr, context);
  } catch {
    return undefined; // an expression this small evaluator cannot run is compared by text only
  }
}

/** Pairs of caller and callee groups that are the same expression or resolve to the same name. */
export function sharedGroups(caller: Obj, callee: Obj): Array<{ caller: Group; callee: Group; why: string }> {
  const clashes: Array<{ caller: Group; callee: Group; why: string }> = [];
  for (const a of concurrencyGroups(caller)) {
    for (const b of concurrencyGroups(callee)) {
      if (normalize(a.group) === normalize(b.group)) {
        clashes.push({ caller: a, callee: b, why: 'same expression' });
        continue;
      }
      const same = SAMPLE_CONTEXTS.find((ctx) => {
        const [ra, rb] = [renderSafely(a.group, ctx), renderSafely(b.group, ctx)];
        return ra !== undefined && ra === rb;
      });
      if (same)
        clashes.push({
          caller: a,
          callee: b,
          why: `both resolve to the same name on ${asObj(same.github).event_name}`,
        });
    }
  }
  return clashes;
}
