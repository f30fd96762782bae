// Level → how much room the agent gets and where it runs. Defaults here; `.github/pilot.yml` can
// override any field per level (`triage: { <level>: … }`, parsed in src/config), and runner labels come
// from `runners.default|long` (defaults in src/config/schema.ts). Without `runners.long` every task
// runs on `runners.default`: a repository with hosted runners only must never wait for a runner forever.
import type { Level } from './levels.js';

export type RunnerKind = 'default' | 'long';

export interface Route {
  /** Model for this size; undefined = the action's `model` input / Claude Code's default. */
  model?: string;
  maxTurns: number;
  /** The agent's budget in minutes; the job gets JOB_TIMEOUT_MARGIN_MINUTES more. */
  timeoutMinutes: number;
  runner: RunnerKind;
}

export type RouteTable = Partial<Record<Level, Partial<Route>>>;

export interface Runners {
  default: string | string[];
  /** undefined = not configured: long tasks run on `default`. */
  long?: string | string[];
}

/** The `runs-on` labels and, for the tracking comment, why they were chosen. */
export interface RunnerChoice {
  labels: string[];
  why: string;
}

/**
 * Small tasks stay on the hosted runner with short limits; complex and epic work goes to the long-job
 * runner when one is configured (hosted jobs stop at 6 hours, self-hosted ones may run for days).
 */
export const DEFAULT_ROUTES: Readonly<Record<Level, Readonly<Route>>> = {
  trivial: { maxTurns: 10, timeoutMinutes: 10, runner: 'default' },
  simple: { maxTurns: 25, timeoutMinutes: 20, runner: 'default' },
  medium: { maxTurns: 50, timeoutMinutes: 45, runner: 'default' },
  complex: { maxTurns: 100, timeoutMinutes: 120, runner: 'long' },
  epic: { maxTurns: 150, timeoutMinutes: 240, runner: 'long' },
};

/** Room for checkout, setup and the post step around the agent's own deadline. */
export const JOB_TIMEOUT_MARGIN_MINUTES = 10;

export function routeFor(level: Level, table: RouteTable = {}): Route {
  const override = definedOnly(table[level] ?? {});
  return { ...DEFAULT_ROUTES[level], ...override };
}

/** Minutes for the job's `timeout-minutes`: the agent's budget plus the margin. */
export function jobTimeoutMinutes(route: Route): number {
  return route.timeoutMinutes + JOB_TIMEOUT_MARGIN_MINUTES;
}

/**
 * The labels for `runs-on` (the route job prints them as JSON; the workflow reads them with
 * `fromJSON`), and why. A string may list several labels separated by commas ("self-hosted, pilot").
 */
export function chooseRunner(kind: RunnerKind, runners: Runners, level: Level): RunnerChoice {
  if (kind === 'long' && runners.long === undefined) {
    return {
      labels: labelsOf('default', runners.default),
      why: `runners.default: a ${level} task would go to runners.long, which is not configured`,
    };
  }
  const value = kind === 'long' ? (runners.long as string | string[]) : runners.default;
  return { labels: labelsOf(kind, value), why: `runners.${kind} for a ${level} task` };
}

/** The labels alone (see chooseRunner); `long` falls back to `default` when it is not configured. */
export function resolveRunner(kind: RunnerKind, runners: Runners): string[] {
  if (kind === 'long' && runners.long === undefined) return labelsOf('default', runners.default);
  return labelsOf(kind, kind === 'long' ? (runners.long as string | string[]) : runners.default);
}

function labelsOf(kind: RunnerKind, value: string | string[]): string[] {
  const labels = (Array.isArray(value) ? value : value.split(',')).map((l) => l.trim()).filter(Boolean);
  if (labels.length === 0) {
    throw new Error(
      `runners.${kind} is ${JSON.stringify(value)}: expected a runner label or a list of labels, e.g. "ubuntu-latest" or ["self-hosted", "pilot"]`,
    );
  }
  return labels;
}

function definedOnly(o: Partial<Route>): Partial<Route> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<Route>;
}
