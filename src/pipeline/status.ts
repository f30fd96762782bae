import { formatUsd } from '../report/comment.js';
import type { TaskDoc } from '../state/task.js';
import { runUrlOf } from './context.js';
import type { Deps } from './deps.js';

/** The `/pilot status` reply, read from the marker. */
export function describeTask(deps: Deps, task: TaskDoc): string {
  const lines = [
    `**Pilot status:** \`${task.status}\``,
    `- branch: ${task.branch ? `\`${task.branch}\`` : '—'}`,
    `- pull request: ${task.pr ? `#${task.pr}` : '—'}`,
    `- cost so far: ${formatUsd(task.costUsd)} over ${task.attempts} run(s)`,
  ];
  const runs = task.runs
    .slice(-5)
    .map((r) => `[${r.kind} ${r.id}](${runUrlOf(deps.ctx, r.id)})${r.outcome ? ` ${r.outcome}` : ''}`);
  if (runs.length) lines.push(`- recent runs: ${runs.join(', ')}`);
  return lines.join('\n');
}
