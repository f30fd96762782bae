// What one run leaves in the task document for the next: the plan `/pilot plan` wrote (for
// `/pilot run`) and why a failed run failed (for `/pilot retry`). Both are the agent's words or its
// tools' output, and the marker is readable in the comment's source: neutralised like any agent text
// Pilot publishes (no links, images, mentions or comment delimiters) and redacted here, then quoted as
// data when a prompt uses them (src/prompt/build.ts).
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';
import { type Failure, PLAN_MAX, type TaskDoc } from '../state/task.js';
import type { AgentRun } from './work-agent.js';

const LIMITS = new Set(['max_turns', 'budget', 'timeout', 'cancelled']);

const kept = (text: string, max: number): string => redact(neutraliseAgentText(text)).slice(0, max);

interface RunFacts {
  command: string;
  agent: AgentRun;
  /** Publishing's error, if publishing failed. */
  error?: string;
  /** What the tracking comment says about the run ("stopped after 3 turns (max-turns)"). */
  headline: string;
}

function failureOf(facts: RunFacts): Failure {
  const { agent } = facts;
  const detail = facts.error ?? agent.errorText;
  const reason = kept([facts.headline, detail].filter(Boolean).join(': '), 500);
  const limit = LIMITS.has(agent.stopReason) ? (agent.stopReason as Failure['limit']) : undefined;
  const toolErrors = (agent.toolErrors ?? []).map((e) => kept(e, 300)).slice(-3);
  return { reason, ...(limit && { limit }), ...(toolErrors.length && { toolErrors }) };
}

/** The task's `plan` and `failure` after this run (undefined drops the field from the marker). */
export function carriedFields(before: TaskDoc, facts: RunFacts): Pick<TaskDoc, 'plan' | 'failure'> {
  const failed = !facts.agent.ok || facts.error !== undefined;
  if (failed) return { plan: before.plan, failure: failureOf(facts) };
  if (facts.command === 'plan') {
    const plan = kept(facts.agent.resultText.trim(), PLAN_MAX);
    return { plan: plan || undefined, failure: undefined };
  }
  // A run that did the work has used the plan; a success clears the failure.
  return { plan: undefined, failure: undefined };
}
