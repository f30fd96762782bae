// How much room a task gets and where it runs: triage's level, then `.github/pilot.yml`'s per-level
// table, with the top-level `model` / `max-turns` / `timeout-minutes` winning when set explicitly.
import type { Config } from '../config/load.js';
import { SETTINGS } from '../config/schema.js';
import { classify, jobTimeoutMinutes, type Level, resolveRunner, routeFor } from '../triage/index.js';

export interface TaskPlan {
  level: Level;
  reason: string;
  model?: string;
  maxTurns: number;
  timeoutMinutes: number;
  runner: string[];
  jobTimeoutMinutes: number;
}

export function planTask(config: Config, issue: { title: string; body: string; labels: string[] }): TaskPlan {
  const { level, reason } = classify(issue);
  const route = routeFor(level, config.triage);
  const explicit = <T>(value: T, fallback: T) => (value !== fallback ? value : undefined);
  const plan = {
    ...route,
    model: explicit(config.model, SETTINGS.model.fallback) ?? route.model,
    maxTurns: explicit(config.maxTurns, SETTINGS.maxTurns.fallback) ?? route.maxTurns,
    timeoutMinutes: explicit(config.timeoutMinutes, SETTINGS.timeoutMinutes.fallback) ?? route.timeoutMinutes,
  };
  return {
    level,
    reason,
    ...plan,
    runner: resolveRunner(route.runner, config.runners),
    jobTimeoutMinutes: jobTimeoutMinutes(plan),
  };
}
