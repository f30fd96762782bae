// Tiers 1 and 2 after an incident is written: the agent's read-only diagnosis is posted on the incident;
// a tier-2 playbook it names runs (the inventory's command, never the agent's) with a minimal
// environment, within its cooldown counted from the ledger, and the service is checked again.
import * as core from '@actions/core';
import { createGit } from '../git/git.js';
import { statusOf } from '../github/client.js';
import { appendRecords, readRecent } from '../ledger/index.js';
import type { OpsRecord } from '../ledger/records.js';
import { type CheckContext, runAllChecks, type ServiceResult } from '../ops/checks.js';
import { runShell } from '../ops/command.js';
import { cooldownOf } from '../ops/cooldown.js';
import type { Playbook, Service } from '../ops/inventory.js';
import { choiceOf } from '../ops/proposal.js';
import { failureMessage } from '../report/github-errors.js';
import { neutraliseAgentText } from '../security/outgoing.js';
import { redact } from '../security/redact.js';
import type { Deps } from './deps.js';
import { announce } from './notices.js';
import { investigate } from './ops-agent.js';
import { untrustedBlock } from './ops-words.js';

/** The GitHub Environment tier 3 waits behind (its required reviewers approve). */
export const APPROVAL_ENVIRONMENT = 'pilot-ops-approval';

export interface Incident {
  number: number;
  url: string;
}

async function opsRecords(deps: Deps): Promise<OpsRecord[]> {
  const { records } = await readRecent({ octokit: deps.octokit, repo: deps.ctx.repo }, 1000);
  return records.filter((r): r is OpsRecord => r.kind === 'ops');
}

async function runPlaybook(
  deps: Deps,
  service: Service,
  book: Playbook,
  ctx: CheckContext,
): Promise<string[]> {
  const out = await runShell(book.run, {
    cwd: ctx.cwd,
    timeoutMs: book['timeout-seconds'] * 1000,
    user: ctx.commandUser,
    extraEnv: { PILOT_OPS_SERVICE: service.name },
  });
  const ended = out.timedOut ? `timed out after ${book['timeout-seconds']} s` : `exit code ${out.code}`;
  const at = new Date(deps.now()).toISOString();
  // Recorded before the re-check: a run that dies now still counts against the cooldown.
  await appendRecords({ octokit: deps.octokit, repo: deps.ctx.repo }, [
    {
      v: 1,
      kind: 'ops',
      key: `ops-${deps.ctx.runId}-${deps.ctx.runAttempt}-${service.name}-${book.name}`,
      at,
      service: service.name,
      event: 'remediated',
      tier: 2,
      playbook: book.name,
      detail: ended,
    },
  ]);
  const [again] = await runAllChecks({ 'heal-after': 1, concurrency: 4, services: [service] }, ctx);
  const state = again.healthy
    ? 'healthy'
    : `still failing (${again.checks
        .filter((c) => !c.ok)
        .map((c) => c.label)
        .join(', ')})`;
  core.info(`Ops: ran playbook ${book.name} for ${service.name}: ${ended}; re-check: ${state}`);
  await announce(deps, {
    event: 'ops.remediated',
    summary: `${service.name}: ran ${book.name} (${ended}); now ${state}`,
  });
  return [
    `🛠️ Pilot ran the tier-2 playbook \`${book.name}\`: ${ended}.`,
    '',
    untrustedBlock(out.output || '(no output)'),
    '',
    `Re-check: ${state}.`,
  ];
}

async function tier2(deps: Deps, service: Service, book: Playbook, ctx: CheckContext): Promise<string[]> {
  const cooldown = cooldownOf(service.name, book, await opsRecords(deps), deps.now());
  if (!cooldown.allowed) {
    core.info(`Ops: cooldown refuses ${book.name} for ${service.name} (${cooldown.used}/${cooldown.max})`);
    return [
      `⏳ Cooldown: \`${book.name}\` ran ${cooldown.used} time(s) for \`${service.name}\` in the last ${cooldown.windowHours} h (at most ${cooldown.max}). Nothing ran; it is allowed again after ${cooldown.nextAt}.`,
    ];
  }
  return runPlaybook(deps, service, book, ctx);
}

/**
 * Why tier 3 may not run, or null when the approval environment has a required-reviewers rule. Fails
 * closed: GitHub creates a missing environment unprotected when a job names it (FACTS), so a missing,
 * unreadable or unprotected environment means no tier 3.
 */
async function approvalBlocked(deps: Deps): Promise<string | null> {
  try {
    const { data } = await deps.octokit.rest.repos.getEnvironment({
      ...deps.ctx.repo,
      environment_name: APPROVAL_ENVIRONMENT,
    });
    const rules = (data.protection_rules ?? []) as Array<{ type?: string; reviewers?: unknown[] }>;
    const guarded = rules.some((r) => r.type === 'required_reviewers' && (r.reviewers?.length ?? 0) > 0);
    return guarded ? null : `the environment \`${APPROVAL_ENVIRONMENT}\` has no required-reviewers rule`;
  } catch (error) {
    if (statusOf(error) === 404) return `the environment \`${APPROVAL_ENVIRONMENT}\` does not exist`;
    return `the environment \`${APPROVAL_ENVIRONMENT}\` could not be read (${redact(failureMessage(error))})`;
  }
}

async function tier3(deps: Deps, service: Service, book: Playbook): Promise<string[]> {
  await announce(deps, {
    event: 'ops.escalated',
    summary: `${service.name}: ${book.name} needs an approval`,
  });
  const blocked = await approvalBlocked(deps);
  const head = `\`${book.name}\` is a tier-3 playbook: it runs only after an approval.`;
  if (blocked)
    return [
      `${head} Tier 3 does not run: ${blocked}. Create it under Settings → Environments with required reviewers. Nothing ran.`,
    ];
  return [`${head} Running it in a job bound to \`${APPROVAL_ENVIRONMENT}\` is not built yet. Nothing ran.`];
}

async function actOn(
  deps: Deps,
  service: Service,
  playbook: string | null,
  ctx: CheckContext,
): Promise<string[]> {
  const choice = choiceOf(service, { diagnosis: '-', playbook });
  if (choice.kind === 'none') return ['No playbook proposed: nothing ran.'];
  if (choice.kind === 'unknown')
    return [
      `The agent named \`${redact(choice.name).replace(/`/g, '')}\`, which is not a playbook of \`${service.name}\` in the inventory: nothing ran.`,
    ];
  if (choice.kind === 'tier3') return tier3(deps, service, choice.book);
  return tier2(deps, service, choice.book, ctx);
}

/** The checkout's changes as git sees them (Pilot's hardened git: no hooks, no fsmonitor). */
async function workspaceState(deps: Deps): Promise<string> {
  const status = await createGit(deps.ctx.workspace).run(['status', '--porcelain', '--untracked-files=all'], {
    allowFail: true,
  });
  return `${status.code}\n${status.stdout}`;
}

/** Investigates a failing service and acts on the proposal; the incident gets one comment. */
export async function remedy(
  deps: Deps,
  service: Service,
  result: ServiceResult,
  incident: Incident,
  ctx: CheckContext,
): Promise<string> {
  const before = await workspaceState(deps);
  const found = await core.group(`Ops: the agent investigates ${service.name}`, () =>
    investigate(deps, service, result),
  );
  const diagnosis = found.proposal
    ? ['### 🔎 Diagnosis (the agent, read-only)', '', neutraliseAgentText(redact(found.proposal.diagnosis))]
    : [`The agent's investigation gave no diagnosis: ${found.problem}.`];
  // A playbook may run a script of the repository: after an agent that changed the checkout, none runs.
  const tampered = (await workspaceState(deps)) !== before;
  const acted = !found.proposal
    ? []
    : tampered
      ? ['The investigation changed files in the checkout, so Pilot runs no playbook this time. Nothing ran.']
      : await actOn(deps, service, found.proposal.playbook, ctx);
  await deps.octokit.rest.issues.createComment({
    ...deps.ctx.repo,
    issue_number: incident.number,
    body: [...diagnosis, '', ...acted].join('\n'),
  });
  return acted[0] ?? 'no diagnosis';
}
