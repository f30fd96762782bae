// The pipeline's one call into src/notify/: fills in the repository and never throws (a receiver's
// trouble is a warning inside notify(); anything else is one more warning here).
import * as core from '@actions/core';
import { type Notice, notify } from '../notify/index.js';
import { failureMessage } from '../report/github-errors.js';
import type { Outcome } from '../report/outputs.js';
import type { Deps } from './deps.js';

export async function announce(deps: Deps, notice: Omit<Notice, 'repository'>): Promise<void> {
  try {
    await notify(deps.config, { repository: deps.ctx.repository, ...notice });
  } catch (error) {
    core.warning(`Notification ${notice.event} was not sent: ${failureMessage(error)}`);
  }
}

export function startNotice(
  issue: number,
  title: string,
  url: string,
  command: string,
): Omit<Notice, 'repository'> {
  return {
    event: 'task.started',
    issue,
    title,
    url,
    status: 'running',
    summary: `working on it (${command})`,
  };
}

/** The events a finished work run announces: how it ended, and the pull request it opened. */
export function endNotices(
  outcome: Outcome,
  facts: { issue: number; title?: string; trackingUrl?: string; prCreated?: boolean },
): Array<Omit<Notice, 'repository'>> {
  const base = {
    issue: facts.issue,
    title: facts.title,
    status: outcome.taskStatus,
    costUsd: outcome.costUsd,
  };
  const notices: Array<Omit<Notice, 'repository'>> = [];
  if (facts.prCreated && outcome.prUrl)
    notices.push({
      ...base,
      event: 'pr.created',
      url: outcome.prUrl,
      summary: `opened #${outcome.prNumber}`,
    });
  const url = outcome.prUrl ?? facts.trackingUrl;
  if (outcome.taskStatus === 'needs_human')
    notices.push({ ...base, event: 'needs_human', url, summary: 'Pilot stopped and a person has to decide' });
  else if (outcome.conclusion === 'failure')
    notices.push({ ...base, event: 'task.failed', url, summary: `ended ${outcome.taskStatus ?? 'failed'}` });
  else if (outcome.conclusion === 'success' || outcome.conclusion === 'no_changes')
    notices.push({ ...base, event: 'task.succeeded', url, summary: `ended ${outcome.taskStatus ?? 'done'}` });
  return notices;
}
