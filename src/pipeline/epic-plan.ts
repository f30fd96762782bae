// An epic's plan (docs/epics.md, issue 20 item 1): what the planning run must return through the CLI's
// `--json-schema` (its StructuredOutput tool), checked here before anything is created. The plan is the
// model's output, shaped by the epic's text: parsed strictly, bounded, and refused with a reason a
// maintainer can act on when it names a missing sub-task, depends on itself, or has a cycle.
import { z } from 'zod';

export const DEFAULT_MAX_SUB_ISSUES = 10;

export const PlanTask = z.strictObject({
  title: z.string().trim().min(1).max(200),
  /** The sub-issue's body, with its acceptance criteria. */
  body: z.string().max(8000),
  /** Files the sub-task likely touches. */
  files: z.array(z.string().max(300)).max(50).default([]),
  /** Indexes (0-based) of the sub-tasks this one waits for. */
  dependsOn: z.array(z.number().int().nonnegative()).max(20).default([]),
  size: z.enum(['trivial', 'simple', 'medium', 'complex']),
});
export type PlanTask = z.infer<typeof PlanTask>;

export const EpicPlan = z.strictObject({ tasks: z.array(PlanTask).min(1).max(50) });
export type EpicPlan = z.infer<typeof EpicPlan>;

/** The JSON Schema given to `claude --json-schema` (the same shape zod checks afterwards). */
export function planJsonSchema(): Record<string, unknown> {
  // The CLI's validator knows no draft 2020-12 `$schema` key and refuses the whole flag: left out.
  const { $schema: _draft, ...schema } = z.toJSONSchema(EpicPlan, { io: 'input' }) as Record<string, unknown>;
  return schema;
}

export type PlanVerdict = { ok: true; plan: EpicPlan; order: number[] } | { ok: false; problem: string };

/** Sub-tasks in an order where each comes after what it depends on; a cycle's members when there is one. */
export function dependencyOrder(tasks: Array<Pick<PlanTask, 'dependsOn'>>): {
  order: number[];
  cycle: number[];
} {
  const waiting = tasks.map((t) => new Set(t.dependsOn));
  const order: number[] = [];
  let ready = tasks.map((_, i) => i).filter((i) => waiting[i].size === 0);
  while (ready.length) {
    const [next, ...rest] = ready;
    order.push(next);
    ready = rest;
    waiting.forEach((deps, i) => {
      if (deps.delete(next) && deps.size === 0) ready.push(i);
    });
  }
  const cycle = tasks.map((_, i) => i).filter((i) => !order.includes(i));
  return { order, cycle };
}

function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue.path.join('.') || 'plan'}: ${issue.message}`;
}

/** Checks a plan (as the StructuredOutput tool returned it) against the rules and `maxSubIssues`. */
export function validatePlan(raw: unknown, maxSubIssues = DEFAULT_MAX_SUB_ISSUES): PlanVerdict {
  const parsed = EpicPlan.safeParse(raw);
  if (!parsed.success)
    return { ok: false, problem: `the plan is not in the expected shape (${firstProblem(parsed.error)})` };
  const { tasks } = parsed.data;
  if (tasks.length > maxSubIssues)
    return {
      ok: false,
      problem: `the plan has ${tasks.length} sub-tasks; at most ${maxSubIssues} are allowed (max-sub-issues)`,
    };
  for (const [i, t] of tasks.entries()) {
    const bad = t.dependsOn.find((d) => d >= tasks.length || d === i);
    if (bad !== undefined)
      return {
        ok: false,
        problem:
          bad === i
            ? `sub-task ${i + 1} ("${t.title}") depends on itself`
            : `sub-task ${i + 1} ("${t.title}") depends on sub-task ${bad + 1}, which the plan does not have`,
      };
  }
  const { order, cycle } = dependencyOrder(tasks);
  if (cycle.length)
    return {
      ok: false,
      problem: `sub-tasks ${cycle.map((i) => i + 1).join(', ')} depend on each other in a cycle, so none of them could ever start`,
    };
  return { ok: true, plan: parsed.data, order };
}
