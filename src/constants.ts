// Names that other tools and users rely on, spelled once.

export const ACTION_NAME = 'Pilot';
export const DISPATCH_EVENT_TYPE = 'pilot';
export const COMMAND_PREFIX = '/pilot';
export const BRANCH_PREFIX = 'pilot/';
export const LEASE_REF_PREFIX = 'refs/pilot/leases/issue-';
export const CACHE_KEY_PREFIX = 'pilot-v1';

/**
 * Events only people with write access (or Pilot itself) can start: their runs get a writable cache
 * and do the work. Everything else goes through the gate.
 */
export const TRUSTED_EVENTS: ReadonlySet<string> = new Set([
  'repository_dispatch',
  'workflow_dispatch',
  'schedule',
]);

/** Hidden marker that identifies Pilot's tracking comment (and carries the task document). */
export const MARKER_PREFIX = '<!-- pilot:task';
export const MARKER_SUFFIX = '-->';
/** Marker on every other comment Pilot writes (replies), so they can be recognised as Pilot's own. */
/** A sub-issue's authenticated reference to its epic (src/pipeline/epic-approve.ts). */
export const EPIC_REF_PREFIX = '<!-- pilot:epic';
export const REPLY_MARKER = '<!-- pilot:reply -->';

/** The one "Pilot dashboard" issue the sweep keeps: its title, the label it is found by, its marker. */
export const DASHBOARD_TITLE = 'Pilot dashboard';
export const DASHBOARD_LABEL = 'pilot-dashboard';
export const DASHBOARD_MARKER_PREFIX = '<!-- pilot:dashboard';

export const COMMANDS = [
  'run',
  'plan',
  'retry',
  'cancel',
  'status',
  'fix',
  'help',
  // Pilot's memory (docs/memory.md).
  'remember',
  'memory',
  'forget',
  // The merge autopilot's circuit breaker (docs/merge.md).
  'resume',
  // Epics (docs/epics.md): a maintainer approves an epic's plan.
  'approve',
] as const;
export type CommandName = (typeof COMMANDS)[number];

export const OUTPUTS = {
  conclusion: 'conclusion',
  taskStatus: 'task-status',
  prNumber: 'pr-number',
  prUrl: 'pr-url',
  branch: 'branch',
  costUsd: 'cost-usd',
  turns: 'turns',
  sessionId: 'session-id',
  intent: 'intent',
  runner: 'runner',
  shouldRun: 'should-run',
  timeoutMinutes: 'timeout-minutes',
  inputTokens: 'input-tokens',
  outputTokens: 'output-tokens',
  cacheReadTokens: 'cache-read-tokens',
  cacheWriteTokens: 'cache-write-tokens',
  metricsFile: 'metrics-file',
} as const;

/** Why the agent stopped, as the CLI run reports it (src/agent/claude.ts) and the words name it. */
export type StopReason =
  | 'completed'
  | 'max_turns'
  | 'budget'
  | 'timeout'
  | 'cancelled'
  | 'api_error'
  // The model gateway called an outage (src/agent/gateway/outage.ts): the task pauses, it does not fail.
  | 'outage'
  | 'error';

export const TASK_STATUSES = [
  'queued',
  'running',
  'pr_open',
  'ci_fixing',
  'review_fixing',
  'paused',
  'merged',
  'closed',
  'failed',
  'cancelled',
  'budget_exceeded',
  'needs_human',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
