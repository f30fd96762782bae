// What happens between the agent finishing and Pilot committing: the quality gates (gates.ts) and the
// optional self-review (self-review.ts), each of which may resume the same session in this run,
// through the same gateway and within the same limits. The gates are chosen before the agent starts,
// from the configuration read at the start and the default branch's files: nothing the agent edits
// (its `.github/pilot.yml`, its package.json) changes which commands run.
import * as core from '@actions/core';
import type { AgentResult } from '../agent/claude.js';
import type { AgentLaunch } from '../agent/isolation/index.js';
import type { Resume } from '../agent/session/index.js';
import type { GateSpec } from '../config/schema.js';
import { reviewFixPrompt } from '../prompt/quality.js';
import type { QualityReport } from '../report/gate-words.js';
import type { Deps } from './deps.js';
import { type Continue, gateRounds, runGates } from './gates.js';
import { detectGates, filesAt } from './gates-detect.js';
import { finalDiff, selfReview } from './self-review.js';
import type { Workspace } from './work-agent.js';

/** The gates this run will use, and how they were chosen. */
export interface GatePlan {
  gates: GateSpec[];
  said?: string;
}

export async function planGates(deps: Deps, ws: Workspace): Promise<GatePlan> {
  const configured = deps.config.gates ?? [];
  if (configured !== 'auto') return { gates: configured };
  const detected = await detectGates(await filesAt(ws.git, `refs/remotes/origin/${ws.base}`));
  core.info(detected.said);
  return detected;
}

/** One run's result after a resumed round: counts add up, the latest state wins. */
export function combine(a: AgentResult, b: AgentResult): AgentResult {
  return {
    ...b,
    numTurns: a.numTurns + b.numTurns,
    costUsd: a.costUsd + b.costUsd,
    durationMs: a.durationMs + b.durationMs,
    permissionDenials: [...a.permissionDenials, ...b.permissionDenials],
    resultText: b.resultText || a.resultText,
  };
}

export interface QualityContext {
  deps: Deps;
  ws: Workspace;
  plan: GatePlan;
  launch: AgentLaunch;
  issue: { title: string; body: string };
  nonce: string;
  deadline: number;
  maxTurns: number;
  /** The model the agent used (its init line), for the self-review call. */
  model: () => string | undefined;
}

/** Resumes within what is left of max-turns and the deadline; null when nothing is left. */
function continuing(q: QualityContext, resume: Resume): Continue {
  return async (last, prompt) => {
    const turnsLeft = q.maxTurns - last.numTurns;
    if (turnsLeft <= 0 || Date.now() >= q.deadline) {
      core.info('No further round: max-turns or the time limit is used up');
      return null;
    }
    return combine(last, await resume(last, prompt, turnsLeft));
  };
}

/** Gates, then self-review; fills `report` and returns the run's combined result. */
export async function afterAgent(
  q: QualityContext,
  first: AgentResult,
  resume: Resume,
  report: QualityReport,
): Promise<AgentResult> {
  if (!first.ok) return first;
  const more = continuing(q, resume);
  const gateCtx = {
    gates: q.plan.gates,
    maxRounds: q.deps.config.maxGateRounds,
    cwd: q.ws.git.cwd,
    launch: q.launch,
    deadline: q.deadline,
    nonce: q.nonce,
    leftovers: { git: q.ws.git, paths: q.ws.gateLeftovers },
  };
  let result = q.plan.gates.length ? await gateRounds(gateCtx, first, more, report) : first;
  if (!q.deps.config.selfReview || !result.ok) return result;
  result = await reviewRound(q, result, more, report);
  // A change made for the review is checked once more; it starts no further fix round.
  if (report.review?.resumed && result.ok && q.plan.gates.length) {
    const round = Math.max(0, ...report.runs.map((r) => r.round)) + 1;
    const runs = await runGates(gateCtx, round);
    report.runs.push(...runs);
    report.failing = runs.filter((r) => r.required && !r.ok).map((r) => r.name);
  }
  return result;
}

async function reviewRound(
  q: QualityContext,
  result: AgentResult,
  more: Continue,
  report: QualityReport,
): Promise<AgentResult> {
  const model = q.model();
  if (!q.launch.gateway || !model) {
    const why = q.launch.gateway ? 'the agent reported no model' : 'no model gateway ran to meter it';
    report.review = { note: `self-review skipped: ${why}`, resumed: false };
    return result;
  }
  const diff = await finalDiff(q.ws.git, `refs/remotes/origin/${q.ws.base}`);
  const asked = { gateway: q.launch.gateway, model, issue: q.issue, diff, nonce: q.nonce };
  const { review, costUsd } = await selfReview(asked);
  report.review = review;
  core.info(
    `self-review: ${review.verdict ? (review.verdict.addressesIssue ? 'addresses the issue' : 'does not address the issue') : `no verdict (${review.note})`}`,
  );
  const withReview = { ...result, costUsd: result.costUsd + costUsd };
  if (!review.verdict || review.verdict.addressesIssue) return withReview;
  const next = await more(withReview, reviewFixPrompt(review.verdict, q.nonce));
  if (!next) return withReview;
  review.resumed = true;
  return next;
}
