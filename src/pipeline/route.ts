// The route phase (reusable workflow's small first job): re-authorized already, it sizes the task and
// tells the run job where to run and for how long. It writes nothing to the repository.
import * as core from '@actions/core';
import { toDispatchPayload } from '../events/dispatch.js';
import type { Intent } from '../events/intent.js';
import { type Outcome, writeSummary } from '../report/outputs.js';
import { type Deps, dispatchSigner } from './deps.js';
import { planIssue } from './plan.js';

export async function route(deps: Deps, intent: Intent): Promise<Outcome> {
  if (intent.kind !== 'work') {
    core.info(`Route: nothing for the run job (${intent.kind} ${intent.command})`);
    return { conclusion: 'skipped', shouldRun: false };
  }
  const { data } = await deps.octokit.rest.issues.get({ ...deps.ctx.repo, issue_number: intent.issue });
  const plan = planIssue(deps.config, data);
  core.info(
    `Triage: #${intent.issue} is ${plan.level} (${plan.reason}); runs on ${plan.runner.join(', ')} (${plan.runnerWhy})`,
  );
  await writeSummary(`Pilot route: #${intent.issue} is ${plan.level}`, [
    ['Why', plan.reason],
    ['Runner', `${plan.runner.join(', ')} (${plan.runnerWhy})`],
    ['Max turns', String(plan.maxTurns)],
    ['Agent time limit', `${plan.timeoutMinutes} min (job ${plan.jobTimeoutMinutes} min)`],
    ['Model', plan.model ?? 'default'],
  ]);
  return {
    conclusion: 'success',
    intent: JSON.stringify(
      toDispatchPayload(intent, intent.gateRunId ?? deps.ctx.runId, dispatchSigner(deps)),
    ),
    runner: JSON.stringify(plan.runner),
    timeoutMinutes: plan.jobTimeoutMinutes,
    shouldRun: true,
  };
}
