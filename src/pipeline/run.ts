// run.ts is the main step itself: event → intent → step (gate, route, serve-then-work, sweep) → outputs;
// the one place that calls setFailed.
import * as core from '@actions/core';
import { authorize } from '../auth/authorize.js';
import { dispatchSender, namedMismatch } from '../auth/dispatch.js';
import { githubPermissionLookup } from '../auth/github-lookup.js';
import { secretValues } from '../config/inputs.js';
import { type Config, loadConfig } from '../config/load.js';
import { DISPATCH_EVENT_TYPE, TRUSTED_EVENTS } from '../constants.js';
import { decide } from '../events/decide.js';
import type { Intent, WorkIntent } from '../events/intent.js';
import { authStrategyFor, tokenProviderFor } from '../github/app-token.js';
import { createOctokit } from '../github/client.js';
import { platformOf } from '../github/platform.js';
import { annotateFailure } from '../report/annotations.js';
import { failureMessage } from '../report/github-errors.js';
import { type Outcome, setOutputs, writeSummary } from '../report/outputs.js';
import { redact, registerSecret } from '../security/redact.js';
import { stateSeal } from '../security/state-key.js';
import { type RunContext, readRunContext } from './context.js';
import type { Deps } from './deps.js';
import { markFinished } from './post-state.js';
import { policyOf } from './thread.js';
import { linkTicket } from './tracker-in.js';

/** The handler a run takes; the `phase` input (config's Phase) and the intent choose it. */
type Step = 'gate' | 'route' | 'work' | 'sweep' | 'ops';

type StepHandler<I extends Intent = Intent> = (deps: Deps, intent: I) => Promise<Outcome>;

/**
 * The steps a bundle carries: the gate's bundle has only `gate` (src/launch.ts sends it untrusted
 * events only, which can reach no other phase); the work bundle has them all. Only work intents
 * reach the work step (stepFor), so its handler takes exactly those.
 */
export interface StepHandlers {
  gate: StepHandler;
  route?: StepHandler;
  sweep?: StepHandler;
  work?: StepHandler<WorkIntent>;
  /** Ops mode (`phase: ops`): health checks and incidents; it concerns no issue and no sender. */
  ops?: (deps: Deps) => Promise<Outcome>;
}

function handlerFor<I extends Intent>(handler: StepHandler<I> | undefined, step: Step): StepHandler<I> {
  if (!handler) throw new Error(`Pilot's ${step} phase is not in this bundle (dist/ is inconsistent)`);
  return handler;
}

/** The step's handler, called with the intent narrowed to what that step takes. */
function callStep(handlers: StepHandlers, step: Step, deps: Deps, intent: Intent): Promise<Outcome> {
  if (step === 'work' && intent.kind === 'work') return handlerFor(handlers.work, step)(deps, intent);
  if (step === 'work') throw new Error(`Pilot's work phase got a ${intent.kind} intent`);
  return handlerFor(handlers[step], step)(deps, intent);
}

function stepFor(config: Config, intent: Intent): Step | { skip: string } {
  const wanted = config.phase === 'auto' ? (intent.trustedEvent ? 'run' : 'gate') : config.phase;
  if (wanted === 'gate' && intent.trustedEvent)
    return { skip: `phase 'gate' does not handle trusted ${intent.source} events` };
  if (wanted !== 'gate' && !intent.trustedEvent)
    return {
      skip: `phase '${wanted}' runs only for trusted events; ${intent.source} events go through the gate`,
    };
  if (wanted === 'route') return 'route';
  if (intent.kind === 'sweep') return 'sweep';
  if (wanted === 'gate' || intent.kind === 'reply') return 'gate';
  return 'work';
}

/**
 * The event to interpret. In the reusable workflow's run job the routed intent arrives as an input: it is
 * read exactly like a `pilot` repository_dispatch payload (untrusted, re-validated, re-authorized).
 */
function eventOf(config: Config, ctx: RunContext): { eventName: string; payload: unknown } {
  if (config.phase !== 'run' || !config.intent) return { eventName: ctx.eventName, payload: ctx.payload };
  let clientPayload: unknown;
  try {
    clientPayload = JSON.parse(config.intent);
  } catch {
    throw new Error("input intent is not JSON: pass the route phase's `intent` output unchanged");
  }
  // The event's real sender goes along: an untagged intent acts for them only (src/auth/dispatch.ts).
  const sender = (ctx.payload as { sender?: unknown } | null)?.sender;
  return {
    eventName: 'repository_dispatch',
    payload: { action: DISPATCH_EVENT_TYPE, client_payload: clientPayload, sender },
  };
}

async function execute(handlers: StepHandlers): Promise<Outcome> {
  const config = core.group('Read configuration', async () => loadConfig());
  const cfg = await config;
  for (const secret of secretValues(cfg)) registerSecret(secret);
  const ctx = readRunContext();
  platformOf(ctx.serverUrl); // GHES: fail fast with the reason
  if (cfg.phase === 'ops') return opsStep(handlers, cfg, ctx);
  const decision = decide(
    { ...eventOf(cfg, ctx), repository: ctx.repository, runAttempt: ctx.runAttempt },
    { triggerLabel: cfg.triggerLabel, botLogin: cfg.botLogin },
  );
  if (decision.type === 'ignore') {
    core.info(`Pilot ignores this ${ctx.eventName} event: ${decision.reason}`);
    return { conclusion: 'skipped' };
  }
  const intent = decision.intent;
  const step = stepFor(cfg, intent);
  if (typeof step === 'object') {
    core.info(`Pilot skips: ${step.skip}`);
    return { conclusion: 'skipped' };
  }
  const deps = await depsFor(cfg, ctx);
  // A schedule has no human sender: the sweep acts as Pilot itself (src/pipeline/sweep.ts).
  if (step === 'sweep' && intent.source === 'schedule') return callStep(handlers, step, deps, intent);
  const admitted = await admit(deps, intent);
  if (!admitted) return { conclusion: 'skipped' };
  // A tracker's ticket (pilot-task) runs on the issue linked to its key, found or opened once admitted.
  const linked =
    admitted.kind === 'work' && admitted.tracker
      ? await linkTicket(deps, { ...admitted, tracker: admitted.tracker })
      : admitted;
  return callStep(handlers, step, deps, linked);
}

async function depsFor(cfg: Config, ctx: RunContext): Promise<Deps> {
  // Every phase reads or writes authenticated state: without the key, fail here and say how to make one.
  const seal = stateSeal({ current: cfg.pilotStateKey, previous: cfg.pilotStateKeyPrevious }, ctx.repository);
  // The github-token input, or App installation tokens minted (and re-minted) by Pilot.
  const tokens = await tokenProviderFor(cfg, ctx.repo);
  const token = await tokens.token();
  const octokit = createOctokit(token, authStrategyFor(tokens));
  return {
    config: cfg,
    ctx,
    octokit,
    token,
    tokens,
    lookup: githubPermissionLookup(octokit, ctx.repo.owner, ctx.repo.repo),
    now: Date.now,
    seal,
  };
}

/**
 * `phase: ops` runs on the schedule, a manual dispatch or an external monitor's repository_dispatch:
 * only trusted events (their runs hold the secrets and a writable cache); it acts as Pilot itself,
 * like the sweep, and reads no instruction from the event (an alert only makes the checks run now).
 */
async function opsStep(handlers: StepHandlers, cfg: Config, ctx: RunContext): Promise<Outcome> {
  if (!TRUSTED_EVENTS.has(ctx.eventName)) {
    core.info(
      `Pilot skips: phase 'ops' runs only on schedule, workflow_dispatch or repository_dispatch, not ${ctx.eventName}`,
    );
    return { conclusion: 'skipped' };
  }
  const handler = handlers.ops;
  if (!handler) throw new Error("Pilot's ops phase is not in this bundle (dist/ is inconsistent)");
  return handler(await depsFor(cfg, ctx));
}

/**
 * The intent with the sender Pilot acts for, once authorized; null (after saying why) when refused.
 * A dispatch acts for the sender it names only when Pilot sent it (its tag verifies).
 */
async function admit(deps: Deps, intent: Intent): Promise<Intent | null> {
  const sender = dispatchSender(intent, deps.seal);
  if (!sender.ok) {
    core.info(`Pilot refuses: ${sender.reason}`);
    return null;
  }
  if (ciFollowUp(sender.intent, sender.byPilot)) return sender.intent;
  const auth = await authorize(sender.intent.sender, policyOf(deps), deps.lookup);
  if (!auth.allowed) {
    core.info(`Pilot refuses: ${auth.reason}`);
    return null;
  }
  const { config, ctx, octokit, seal } = deps;
  const check = {
    octokit,
    repo: ctx.repo,
    pilotLogin: config.botLogin,
    triggerLabel: config.triggerLabel,
    seal,
  };
  const mismatch = await namedMismatch(check, sender.intent);
  if (mismatch) {
    core.info(`Pilot refuses the dispatch: ${mismatch}`);
    return null;
  }
  return sender.intent;
}

/**
 * A failed CI run has no human asking: its sender is whoever pushed (Pilot itself, whose identity never
 * authorizes a trigger). Its trust is the authenticated marker instead: the gate and the fix run act
 * only when the run's head is the commit Pilot last pushed, in this repository (src/events/follow-ups.ts,
 * gate.ts, ci-fix.ts). That holds for GitHub's own `workflow_run` event and for Pilot's tagged dispatch
 * of it; an untagged `ci` dispatch acts for its real sender, authorized like anyone.
 */
function ciFollowUp(intent: Intent, byPilot: boolean): boolean {
  if (intent.kind !== 'work' || intent.source !== 'ci') return false;
  return intent.dispatch ? byPilot : !intent.trustedEvent;
}

export async function run(handlers: StepHandlers): Promise<void> {
  let outcome: Outcome = { conclusion: 'failure' };
  let failure: string | undefined;
  try {
    outcome = await execute(handlers);
    if (outcome.conclusion === 'failure')
      failure = `Pilot: the task failed (${outcome.taskStatus ?? 'see the log'})`;
  } catch (error) {
    annotateFailure(error);
    failure = redact(failureMessage(error));
    await writeSummary('Pilot failed', [], [failure]).catch(() => undefined);
  } finally {
    setOutputs(outcome);
    markFinished();
  }
  if (failure) core.setFailed(failure);
}
