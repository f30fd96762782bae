// The visible part of the tracking comment. It never starts a line with `/pilot` (no self-triggering).
import type { TaskDoc } from '../state/task.js';

export interface TrackingView {
  headline: string;
  details?: Array<[string, string]>;
  body?: string;
  links: Array<[string, string]>;
}

const ICON: Record<TaskDoc['status'], string> = {
  queued: '⏳',
  running: '🛠️',
  pr_open: '✅',
  ci_fixing: '🔧',
  review_fixing: '✍️',
  paused: '⏸️',
  merged: '🎉',
  closed: '📪',
  failed: '❌',
  cancelled: '🛑',
  budget_exceeded: '💸',
  needs_human: '🙋',
};

export function renderTracking(task: TaskDoc, view: TrackingView): string {
  const lines = [`### ${ICON[task.status]} Pilot — ${view.headline}`, ''];
  if (view.details?.length) {
    lines.push('| | |', '|---|---|', ...view.details.map(([k, v]) => `| ${k} | ${v} |`), '');
  }
  if (view.body) lines.push(view.body, '');
  if (view.links.length) lines.push(view.links.map(([label, url]) => `[${label}](${url})`).join(' · '));
  return lines.join('\n').trim();
}

export function formatUsd(value: number): string {
  return `$${value.toFixed(value < 1 ? 4 : 2)}`;
}

/** `1,234 in · 56 out · 7,890 cache read · 0 cache write`, or a dash where nothing was metered. */
export function formatTokens(
  t: { input: number; output: number; cacheRead: number; cacheWrite: number } | undefined,
): string {
  if (!t) return '— (no model gateway ran)';
  const n = (v: number) => v.toLocaleString('en-US');
  return `${n(t.input)} in · ${n(t.output)} out · ${n(t.cacheRead)} cache read · ${n(t.cacheWrite)} cache write`;
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${s % 60}s`;
}
