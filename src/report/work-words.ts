// The words of a work run: the tracking view while it works and when it ends, the headline, the pull
// request's body and commit message, and which task status an outcome maps to. Pure: src/pipeline/
// gathers the facts, this module says them.
import type { StopReason } from '../constants.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';
import type { TaskDoc } from '../state/task.js';
import { formatDuration, formatTokens, formatUsd, type TrackingView } from './comment.js';
import { gatesRow, type QualityReport, qualitySection } from './gate-words.js';
import type { Tokens } from './outputs.js';

/** What the agent's run reports (src/agent/claude.ts's AgentResult has these and more). */
export interface AgentFacts {
  ok: boolean;
  stopReason: StopReason;
  numTurns: number;
  costUsd: number;
  resultText: string;
  errorText?: string;
  permissionDenials: Array<{ tool_name: string }>;
  /** The model gateway's counts; absent where no gateway ran. */
  tokens?: Tokens;
  /** Quality gates and self-review, when the run had either. */
  quality?: QualityReport;
}

/** Required gates still failing: the PR opens as a draft and the task needs a human. */
export function gatesFailing(agent: Pick<AgentFacts, 'quality'>): string[] {
  return agent.quality?.failing ?? [];
}

/** What Pilot published: the commit it pushed, the pull request, the paths it left alone. */
export interface Published {
  commit: string | null;
  pr?: { number: number; url: string; created?: boolean };
  notCommitted: string[];
}

/** How publishing went: what was published, or the error and whether a human must decide. */
export interface PublishResult {
  published: Published | null;
  error?: string;
  needsHuman: boolean;
}

/** The plan's facts the tracking comment shows (src/pipeline/plan.ts's TaskPlan). */
export interface PlanFacts {
  level: string;
  reason: string;
  runner: string[];
  runnerWhy: string;
}

type Links = Array<[string, string]>;

/** The tracking view while the agent works. */
export function startView(command: string, branch: string, plan: PlanFacts, links: Links): TrackingView {
  return {
    headline: `working on it (${command})`,
    details: [
      ['Branch', `\`${branch}\``],
      ['Size', `${plan.level}: ${plan.reason}`],
      ['Runner', `${plan.runner.join(', ')}: ${plan.runnerWhy}`],
    ],
    links,
  };
}

export function commitMessage(agent: AgentFacts, title: string, issue: number): string {
  return agent.ok ? `${title}\n\nCloses #${issue}` : `WIP: ${title} (#${issue})`;
}

export function pullBody(issue: number, agent: AgentFacts, learnings: string[] = []): string {
  // The agent's words are untrusted: no hidden comments, foreign images, closing keywords or team pings.
  const summary = neutraliseAgentText(agent.resultText.trim()) || 'Changes made by Pilot.';
  // Ids only (Pilot's own, `m-` and hex): which of Pilot's memory the prompt carried (docs/memory.md).
  const memory = learnings.length
    ? `\n\nLearnings used: ${learnings.map((id) => `\`${id}\``).join(', ')}`
    : '';
  const quality = agent.quality ? `\n\n${qualitySection(agent.quality).slice(0, 60_000)}` : '';
  return `${summary.slice(0, 60_000)}${quality}\n\n---\nCloses #${issue}${memory}\n\n_Opened by Pilot (${agent.numTurns} turns, ${formatUsd(agent.costUsd)})._`;
}

function finalStatus(agent: AgentFacts, published: Published | null): TaskDoc['status'] {
  if (agent.stopReason === 'budget') return 'budget_exceeded';
  if (agent.stopReason === 'cancelled') return 'cancelled';
  // An outage of the model API is not the task's failure: the sweep resumes it (src/pipeline/sweep.ts).
  if (agent.stopReason === 'outage') return 'paused';
  if (!agent.ok) return 'failed';
  if (published?.pr && gatesFailing(agent).length) return 'needs_human';
  return published?.pr ? 'pr_open' : 'needs_human';
}

/** The task's status once the run is over. */
export function statusAfter(command: string, agent: AgentFacts, result: PublishResult): TaskDoc['status'] {
  if (result.error) return result.needsHuman ? 'needs_human' : 'failed';
  if (command === 'plan' && agent.ok) return 'queued';
  return finalStatus(agent, result.published);
}

export function headlineOf(agent: AgentFacts, published: Published | null, branch: string): string {
  const failing = gatesFailing(agent);
  if (agent.ok && published?.pr && failing.length)
    return `draft pull request #${published.pr.number} is open; required gates still fail (${failing.join(', ')})`;
  if (agent.ok && published?.pr) return `pull request #${published.pr.number} is open`;
  if (agent.ok) return 'finished with no changes to commit';
  const wip = published?.commit ? `; work so far is on branch \`${branch}\`` : '';
  switch (agent.stopReason) {
    case 'max_turns':
      return `stopped after ${agent.numTurns} turns (max-turns)${wip}`;
    case 'timeout':
      return `stopped at the time limit${wip}`;
    case 'budget':
      return `stopped at the cost limit${wip}`;
    case 'cancelled':
      return `cancelled${wip}; \`/pilot retry\` resumes`;
    case 'outage':
      return `paused: the model API is unavailable${wip}; Pilot resumes the session when it answers again`;
    default:
      return `the agent failed${wip}`;
  }
}

/** Everything the final tracking view says, gathered by the work run. */
export interface FinalFacts {
  command: string;
  agent: AgentFacts;
  result: PublishResult;
  branch: string;
  plan: PlanFacts;
  links: Links;
  durationMs: number;
  /** Why CI waits on a PR opened with the workflow's token, when it does. */
  ciNote?: string;
}

/** The agent's answer as a quote, or a plain statement when it gave none. */
function quoted(text: string): string {
  const said = neutraliseAgentText(text.trim()).slice(0, 2000);
  return said ? said.replace(/^/gm, '> ') : '> (the agent gave no answer)';
}

function finalNotes(facts: FinalFacts): string[] {
  const { agent, command } = facts;
  const { published, error } = facts.result;
  const notes: string[] = [];
  // The failure reason and the plan carry the agent's (or a remote's) words: neutralised before publishing.
  if (error) notes.push(neutraliseAgentText(error));
  else if (!agent.ok) notes.push(`**Why:** ${neutraliseAgentText(agent.errorText ?? agent.stopReason)}`);
  if (command === 'plan' && agent.ok) notes.push(`**Plan**\n\n${neutraliseAgentText(agent.resultText)}`);
  // Never a silent green: a run that produced nothing says why, in the agent's own (neutralised) words.
  else if (agent.ok && !error && !published?.commit && !published?.pr)
    notes.push(`**Why nothing changed** (the agent's answer):\n\n${quoted(agent.resultText)}`);
  if (agent.permissionDenials.length) {
    notes.push(
      `Permission denied for: ${agent.permissionDenials.map((d) => `\`${d.tool_name}\``).join(', ')}`,
    );
  }
  if (agent.quality && command !== 'plan') notes.push(qualitySection(agent.quality));
  if (published?.pr && facts.ciNote) notes.push(facts.ciNote);
  if (published?.notCommitted.length) {
    notes.push(
      `Files that were already modified before the agent started were not committed: ${published.notCommitted.map((p) => `\`${p}\``).join(', ')}`,
    );
  }
  return notes;
}

/** The tracking view once the run is over. */
export function finalView(facts: FinalFacts): TrackingView {
  const { agent, branch, plan, command } = facts;
  const { published, error } = facts.result;
  const details: Links = [
    ['Outcome', error ? 'failed to publish' : agent.ok ? 'success' : agent.stopReason],
    ['Branch', `\`${branch}\``],
    ['Runner', `${plan.runner.join(', ')}: ${plan.runnerWhy}`],
    ['Pull request', published?.pr ? `#${published.pr.number}` : '—'],
    ['Cost', formatUsd(agent.costUsd)],
    ['Turns', String(agent.numTurns)],
    ['Tokens', formatTokens(agent.tokens)],
    ['Duration', formatDuration(facts.durationMs)],
  ];
  const gates = agent.quality && gatesRow(agent.quality);
  if (gates) details.push(gates);
  const headline = error
    ? 'could not publish the change'
    : command === 'plan' && agent.ok
      ? 'plan ready'
      : headlineOf(agent, published, branch);
  return { headline, details, body: redact(finalNotes(facts).join('\n\n')), links: facts.links };
}
