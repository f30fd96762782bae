// The words of quality gates and self-review: the gates table (PR body, tracking comment, summary), the
// failures' tails, and the review's verdict. Gate output and the review's concerns come from commands
// the agent could shape and from a model that read the agent's diff: neutralised and redacted like
// every agent text, and fenced so they cannot close the table or the block around them.
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';
import { formatDuration } from './comment.js';

/** One gate's run in one round (round 1 is the agent's first change). */
export interface GateRun {
  name: string;
  required: boolean;
  ok: boolean;
  timedOut: boolean;
  exitCode: number | null;
  durationMs: number;
  round: number;
  /** The useful tail of its output (already trimmed, sanitised and redacted). */
  tail: string;
}

/** The self-review's answer, parsed at the edge (src/pipeline/self-review.ts). */
export interface Verdict {
  addressesIssue: boolean;
  risks: string[];
  untested: string[];
}

export interface SelfReview {
  verdict?: Verdict;
  /** Why there is no verdict (no gateway, an unreadable answer, the cap), when there is none. */
  note?: string;
  /** True when the verdict sent the agent back once. */
  resumed: boolean;
}

/** What happened between the agent finishing and Pilot publishing. */
export interface QualityReport {
  runs: GateRun[];
  /** `gates: auto`'s choice, or where the gates came from. */
  said?: string;
  maxRounds: number;
  /** Required gates still failing after the last round: the PR opens as a draft and a human decides. */
  failing: string[];
  /** Resumed fix rounds used. */
  fixRounds: number;
  review?: SelfReview;
}

/** Markdown table cells cannot hold a pipe or a line break. */
function cell(text: string): string {
  return text.replace(/[|\r\n]/g, ' ').slice(0, 100);
}

function resultOf(run: GateRun): string {
  if (run.ok) return '✅ pass';
  const how = run.timedOut ? 'timed out' : `exit ${run.exitCode ?? '?'}`;
  return `${run.required ? '❌ fail' : '⚠️ fail (optional)'} (${how})`;
}

/** `| gate | result | duration | round |`, one row per gate per round. */
export function gatesTable(report: QualityReport): string {
  const rows = report.runs.map(
    (r) =>
      `| \`${cell(r.name).replace(/`/g, "'")}\` | ${resultOf(r)} | ${formatDuration(r.durationMs)} | ${r.round} |`,
  );
  return ['| gate | result | duration | round |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** A fence longer than any backtick run in the text, so the text cannot end the block. */
function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

/** The last failing run of each gate still failing, with its tail. */
function failureTails(report: QualityReport): string[] {
  return report.failing.map((name) => {
    const last = report.runs.filter((r) => r.name === name).at(-1);
    const tail = last?.tail ? `\n\n${fenced(redact(neutraliseAgentText(last.tail)))}` : '';
    return `**\`${cell(name).replace(/`/g, "'")}\` still fails** after round ${last?.round ?? '?'}:${tail}`;
  });
}

function list(items: string[]): string {
  return items
    .map((item) => `- ${redact(neutraliseAgentText(item)).replace(/\s+/g, ' ').slice(0, 500)}`)
    .join('\n');
}

/** The self-review's part of the PR body. */
export function reviewSection(review: SelfReview): string {
  if (!review.verdict) return `**Self-review:** no verdict (${review.note ?? 'not run'}).`;
  const { verdict } = review;
  const head = verdict.addressesIssue
    ? '**Self-review:** the change addresses the issue.'
    : `**Self-review:** the change does not address the issue${review.resumed ? '; the agent was sent back once with these concerns' : ''}.`;
  const parts = [head];
  if (verdict.risks.length) parts.push(`Risks:\n${list(verdict.risks)}`);
  if (verdict.untested.length) parts.push(`Untested:\n${list(verdict.untested)}`);
  return parts.join('\n\n');
}

/** Everything about gates and review for the PR body and the tracking comment. */
export function qualitySection(report: QualityReport): string {
  const parts: string[] = [];
  if (report.runs.length) {
    parts.push(
      `**Quality gates** (fix rounds used: ${report.fixRounds} of ${report.maxRounds})\n\n${gatesTable(report)}`,
    );
    if (report.said) parts.push(`${report.said}.`);
    parts.push(...failureTails(report));
  } else if (report.said) parts.push(`**Quality gates:** ${report.said}.`);
  if (report.review) parts.push(reviewSection(report.review));
  return parts.join('\n\n');
}

/** The summary/tracking table's row. */
export function gatesRow(report: QualityReport): [string, string] | undefined {
  if (!report.runs.length) return report.said ? ['Gates', report.said] : undefined;
  if (report.failing.length) return ['Gates', `failing: ${report.failing.map(cell).join(', ')}`];
  return ['Gates', `passed (round ${Math.max(...report.runs.map((r) => r.round))})`];
}
