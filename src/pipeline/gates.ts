// Quality gates (issue 18 item 2): after the agent, each gate runs in the workspace as the agent's user
// with the agent's allowlisted environment (src/agent/isolation/agent-command.ts), never with Pilot's.
// A failing required gate sends the session back with the failure's tail, up to max-gate-rounds.
import * as core from '@actions/core';
import type { AgentResult } from '../agent/claude.js';
import { runAgentCommand } from '../agent/isolation/agent-command.js';
import type { AgentLaunch } from '../agent/isolation/index.js';
import type { GateSpec } from '../config/schema.js';
import { changedPaths } from '../git/branch.js';
import type { Git } from '../git/git.js';
import { gateFixPrompt, usefulTail } from '../prompt/quality.js';
import type { GateRun, QualityReport } from '../report/gate-words.js';
import { redact } from '../security/redact.js';

export interface GateContext {
  gates: GateSpec[];
  maxRounds: number;
  cwd: string;
  launch: Pick<AgentLaunch, 'env' | 'runAs'>;
  /** The agent's deadline: no gate runs past it. */
  deadline: number;
  nonce: string;
  /** Paths the gates wrote (caches, coverage, build output) are collected here and never committed. */
  leftovers?: { git: Git; paths: Set<string> };
}

/** Continues the session with `prompt`; null when no turns or time are left for another round. */
export type Continue = (last: AgentResult, prompt: string) => Promise<AgentResult | null>;

async function runGate(spec: GateSpec, ctx: GateContext, round: number): Promise<GateRun> {
  const left = ctx.deadline - Date.now();
  const timeoutMs = Math.max(1000, Math.min(spec.timeoutMinutes * 60_000, left));
  core.info(`gate ${spec.name} (round ${round}): ${redact(spec.run)}`);
  const out = await runAgentCommand({
    run: spec.run,
    cwd: ctx.cwd,
    env: ctx.launch.env,
    runAs: ctx.launch.runAs,
    timeoutMs,
  });
  const ok = !out.timedOut && out.exitCode === 0;
  const how = ok
    ? 'passed'
    : out.timedOut
      ? `timed out after ${timeoutMs / 1000}s`
      : `failed (exit ${out.exitCode})`;
  core.info(`gate ${spec.name}: ${how} in ${Math.round(out.durationMs / 1000)}s`);
  return {
    name: spec.name,
    required: spec.required,
    ok,
    timedOut: out.timedOut,
    exitCode: out.exitCode,
    durationMs: out.durationMs,
    round,
    tail: ok ? '' : redact(usefulTail(out.output)),
  };
}

export async function runGates(ctx: GateContext, round: number): Promise<GateRun[]> {
  const before = ctx.leftovers && (await changedPaths(ctx.leftovers.git));
  const runs: GateRun[] = [];
  for (const spec of ctx.gates) runs.push(await runGate(spec, ctx, round));
  if (ctx.leftovers && before)
    for (const path of await changedPaths(ctx.leftovers.git))
      if (!before.has(path)) ctx.leftovers.paths.add(path);
  return runs;
}

function fixPrompt(ctx: GateContext, failed: GateRun[], round: number): string {
  const failures = failed.map((r) => ({
    ...r,
    run: ctx.gates.find((g) => g.name === r.name)?.run ?? '',
  }));
  return gateFixPrompt(failures, round, ctx.nonce);
}

/**
 * Runs the gates, and while a required one fails and rounds remain, resumes the session with the
 * failures and runs them again. `report` is filled as it goes; the latest result is returned.
 */
export async function gateRounds(
  ctx: GateContext,
  first: AgentResult,
  resume: Continue,
  report: QualityReport,
): Promise<AgentResult> {
  let last = first;
  for (let round = 1; ; round++) {
    const runs = await runGates(ctx, round);
    report.runs.push(...runs);
    const failed = runs.filter((r) => r.required && !r.ok);
    report.failing = failed.map((r) => r.name);
    if (!failed.length || report.fixRounds >= ctx.maxRounds) return last;
    core.info(`Required gates failed (${report.failing.join(', ')}): resuming the agent to fix them`);
    const next = await resume(last, fixPrompt(ctx, failed, round));
    if (!next) return last;
    report.fixRounds++;
    last = next;
    if (!next.ok) return last;
  }
}
