// How much room a task gets and where it runs: triage's level, then `.github/pilot.yml`'s per-level
// table, with `model` / `max-turns` / `timeout-minutes` winning whenever they were given (as an input or
// at the top of the file). They have no default, so "given" is simply "defined".
import type { Config } from '../config/load.js';
import { chooseRunner, classify, jobTimeoutMinutes, type Level, routeFor } from '../triage/index.js';

export interface TaskPlan {
  level: Level;
  reason: string;
  model?: string;
  maxTurns: number;
  timeoutMinutes: number;
  runner: string[];
  /** Why these runner labels, for the tracking comment and the job summary. */
  runnerWhy: string;
  jobTimeoutMinutes: number;
}

export function planTask(config: Config, issue: { title: string; body: string; labels: string[] }): TaskPlan {
  const { level, reason } = classify(issue);
  const route = routeFor(level, config.triage);
  const plan = {
    ...route,
    model: config.model ?? route.model,
    maxTurns: config.maxTurns ?? route.maxTurns,
    timeoutMinutes: config.timeoutMinutes ?? route.timeoutMinutes,
  };
  const runner = chooseRunner(route.runner, config.runners, level);
  return {
    level,
    reason,
    ...plan,
    runner: runner.labels,
    runnerWhy: runner.why,
    jobTimeoutMinutes: jobTimeoutMinutes(plan),
  };
}

/** The issue as `GET /issues/{n}` returns it: a label is a name or an object with one. */
export interface IssueData {
  title: string;
  body?: string | null;
  labels: Array<string | { name?: string | null }>;
}

/** Plans the issue as GitHub returns it: the one place its body and label names are read for triage. */
export function planIssue(config: Config, data: IssueData): TaskPlan {
  const labels = data.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
  return planTask(config, { title: data.title, body: data.body ?? '', labels });
}
