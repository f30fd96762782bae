// Every output is set on every path (success, failure, refusal), so workflows can rely on them.
import * as core from '@actions/core';
import { OUTPUTS } from '../constants.js';
import { redact } from '../security/redact.js';
import { cellHtml, escapeHtml } from './summary-cell.js';

export interface Outcome {
  conclusion: 'success' | 'failure' | 'skipped' | 'no_changes' | 'cancelled' | 'paused';
  taskStatus?: string;
  prNumber?: number;
  prUrl?: string;
  branch?: string;
  costUsd?: number;
  turns?: number;
  sessionId?: string;
  intent?: string;
  runner?: string;
  shouldRun?: boolean;
  timeoutMinutes?: number;
  /** Counted by Pilot's model gateway from the API's answers, never from anything the agent writes. */
  tokens?: Tokens;
  metricsFile?: string;
}

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export function setOutputs(o: Outcome): void {
  const values: Record<keyof typeof OUTPUTS, string> = {
    conclusion: o.conclusion,
    taskStatus: o.taskStatus ?? '',
    prNumber: o.prNumber ? String(o.prNumber) : '',
    prUrl: o.prUrl ?? '',
    branch: o.branch ?? '',
    costUsd: (o.costUsd ?? 0).toFixed(4),
    turns: String(o.turns ?? 0),
    sessionId: o.sessionId ?? '',
    intent: o.intent ?? '',
    runner: o.runner ?? '',
    shouldRun: String(o.shouldRun ?? false),
    timeoutMinutes: o.timeoutMinutes ? String(o.timeoutMinutes) : '',
    inputTokens: String(o.tokens?.input ?? 0),
    outputTokens: String(o.tokens?.output ?? 0),
    cacheReadTokens: String(o.tokens?.cacheRead ?? 0),
    cacheWriteTokens: String(o.tokens?.cacheWrite ?? 0),
    metricsFile: o.metricsFile ?? '',
  };
  for (const [key, name] of Object.entries(OUTPUTS)) {
    core.setOutput(name, redact(values[key as keyof typeof OUTPUTS]));
  }
}

/** Rows hold the tracking comment's markdown; the summary's HTML table gets them as HTML. */
export async function writeSummary(title: string, rows: Array<[string, string]>, notes: string[] = []) {
  const summary = core.summary.addHeading(escapeHtml(redact(title)), 3);
  if (rows.length) {
    summary.addTable([
      [
        { data: 'Item', header: true },
        { data: 'Value', header: true },
      ],
      ...rows.map(([k, v]) => [escapeHtml(k), cellHtml(redact(v))]),
    ]);
  }
  for (const note of notes) summary.addRaw(`\n\n${redact(note)}\n`);
  await summary.write();
}
