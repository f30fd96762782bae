// The sweep's half of the outage pause: a task the work run left `paused` (the model gateway called
// an outage, src/agent/gateway/outage.ts) is resumed once one cheap probe of the model API succeeds,
// by dispatching `/pilot retry` for whoever labelled the issue (the work run re-authorizes them and
// resumes the saved session). Only a marker Pilot wrote and signed says `paused` (findTracking), so
// text that pretends the task is paused resumes nothing. Resumes are bounded: after MAX_RESUMES the
// task is marked failed with a comment saying so.
import { messageOf } from '../errors.js';
import type { Actor } from '../events/intent.js';
import { renderTracking } from '../report/comment.js';
import { type TrackingComment, writeTracking } from '../state/tracking.js';
import { type Deps, markerKey } from './deps.js';

/** Resumes the sweep may dispatch for one task's outage before a person has to decide. */
export const MAX_RESUMES = 5;

const PUBLIC_API = 'https://api.anthropic.com';

export type Probe = { ok: true } | { ok: false; why: string };

/**
 * One free request: the models list (no tokens spent). Bedrock and Vertex have no such call with the
 * credentials Pilot holds, so there the probe says yes and the resumed run is the probe (bounded).
 */
export async function probeModelApi(deps: Deps): Promise<Probe> {
  const { config } = deps;
  if (config.modelProvider !== 'anthropic') return { ok: true };
  const base = config.anthropicBaseUrl ?? process.env.ANTHROPIC_BASE_URL ?? PUBLIC_API;
  const headers: Record<string, string> = { 'anthropic-version': '2023-06-01' };
  if (config.anthropicApiKey) headers['x-api-key'] = config.anthropicApiKey;
  else if (config.claudeCodeOauthToken) headers.authorization = `Bearer ${config.claudeCodeOauthToken}`;
  try {
    const url = `${base.replace(/\/$/, '')}/v1/models?limit=1`;
    const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    await res.body?.cancel();
    return res.ok ? { ok: true } : { ok: false, why: `the model API answered ${res.status}` };
  } catch (error) {
    // The URL and the error's words only: headers (the key) are never in a fetch error's message.
    return { ok: false, why: `the model API could not be reached: ${messageOf(error)}` };
  }
}

export interface ResumeStep {
  dispatch(sender: Actor): Promise<void>;
  labeller(): Promise<Actor | null>;
  probe(): Promise<Probe>;
}

/** What the sweep did with a paused task, for its summary row. */
export async function resumePaused(deps: Deps, issue: number, tracking: TrackingComment, step: ResumeStep) {
  const { task } = tracking;
  const resumes = task.resumes ?? 0;
  if (resumes >= MAX_RESUMES) {
    await giveUp(deps, issue, tracking);
    return `paused after ${resumes} resume(s): marked failed`;
  }
  const probe = await step.probe();
  if (!probe.ok) return `paused: ${probe.why}; not resumed`;
  const sender = await step.labeller();
  if (!sender) return 'paused: no label event to resume for';
  // Counted before dispatching: a resume whose run is lost still uses one of the bound.
  const doc = { ...task, resumes: resumes + 1, rev: task.rev + 1 };
  const view = renderTracking(doc, {
    headline: `resuming after the model API outage (${resumes + 1} of ${MAX_RESUMES})`,
    body: `The model API answers again: Pilot resumes the session for @${sender.login}.`,
    links: [['sweep', deps.ctx.runUrl]],
  });
  await writeTracking(deps.octokit, deps.ctx.repo, issue, tracking, view, doc, markerKey(deps, issue));
  await step.dispatch(sender);
  return `paused: the model API answers again; resumed (${resumes + 1} of ${MAX_RESUMES})`;
}

async function giveUp(deps: Deps, issue: number, tracking: TrackingComment): Promise<void> {
  const task = {
    ...tracking.task,
    status: 'failed' as const,
    pausedFor: undefined,
    rev: tracking.task.rev + 1,
  };
  const view = renderTracking(task, {
    headline: 'the model API stayed unavailable',
    body: `Pilot resumed this task ${MAX_RESUMES} times after model API outages and it paused again each time. Comment \`/pilot retry\` to try once more.`,
    links: [['sweep', deps.ctx.runUrl]],
  });
  await writeTracking(deps.octokit, deps.ctx.repo, issue, tracking, view, task, markerKey(deps, issue));
}
