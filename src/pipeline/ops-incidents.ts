// Incident issues on GitHub: found by label, author and an authenticated marker; opened once per failing
// service, updated while it fails, closed with a summary after heal-after healthy runs in a row.
import * as core from '@actions/core';
import type { ServiceResult } from '../ops/checks.js';
import {
  INCIDENT_LABEL,
  type IncidentDoc,
  type IncidentStep,
  readIncidentMarker,
  renderIncidentMarker,
  withIncidentMarker,
} from '../ops/incident.js';
import { escapeCommentDelimiters } from '../security/outgoing.js';
import type { Deps } from './deps.js';
import { announce } from './notices.js';
import { healedComment, incidentBody, incidentTitle, relapseComment } from './ops-words.js';

export interface OpenIncident {
  number: number;
  url: string;
  body: string;
  doc: IncidentDoc;
}

/**
 * Open incidents by service. An issue counts only when Pilot's identity wrote it and its trailing
 * marker verifies for its own number: anyone can open an issue with the label and a pasted marker.
 */
export async function openIncidents(deps: Deps): Promise<Map<string, OpenIncident>> {
  const issues = await deps.octokit.paginate(deps.octokit.rest.issues.listForRepo, {
    ...deps.ctx.repo,
    state: 'open',
    labels: INCIDENT_LABEL,
    sort: 'created',
    direction: 'asc',
    per_page: 100,
  });
  const found = new Map<string, OpenIncident>();
  for (const issue of issues) {
    if (issue.pull_request) continue;
    const doc = readIncidentMarker(issue.body ?? '', deps.seal, issue.number);
    const byPilot = (issue.user?.login ?? '').toLowerCase() === deps.config.botLogin.toLowerCase();
    if (!doc || !byPilot) {
      if ((issue.body ?? '').includes('pilot-ops-incident'))
        core.warning(`Issue #${issue.number} carries an ops incident marker Pilot did not write: ignored`);
      continue;
    }
    // The oldest incident of a service wins; a later one (two runs racing) is left as it is.
    if (!found.has(doc.service))
      found.set(doc.service, { number: issue.number, url: issue.html_url, body: issue.body ?? '', doc });
  }
  return found;
}

async function writeBody(deps: Deps, number: number, visible: string, doc: IncidentDoc): Promise<void> {
  const body = withIncidentMarker(
    escapeCommentDelimiters(visible),
    renderIncidentMarker(doc, deps.seal, number),
  );
  await deps.octokit.rest.issues.update({ ...deps.ctx.repo, issue_number: number, body });
}

async function comment(deps: Deps, number: number, body: string): Promise<void> {
  await deps.octokit.rest.issues.createComment({ ...deps.ctx.repo, issue_number: number, body });
}

async function openIncident(deps: Deps, result: ServiceResult, doc: IncidentDoc, healAfter: number) {
  const visible = incidentBody(result, doc, deps.ctx.runUrl, healAfter);
  const { data } = await deps.octokit.rest.issues.create({
    ...deps.ctx.repo,
    title: incidentTitle(result.service),
    body: escapeCommentDelimiters(visible),
    labels: [INCIDENT_LABEL],
  });
  // The marker is sealed for the issue's number, known only now: a second write.
  await writeBody(deps, data.number, visible, doc);
  core.info(`Ops: opened incident #${data.number} for ${result.service}`);
  await announce(deps, {
    event: 'ops.incident',
    issue: data.number,
    title: incidentTitle(result.service),
    url: data.html_url,
    summary: `${result.service} is failing: ${result.checks
      .filter((c) => !c.ok)
      .map((c) => c.label)
      .join(', ')}`,
  });
  return { number: data.number, url: data.html_url };
}

/** Carries out one service's step; returns the incident it concerns, if any. */
export async function applyStep(
  deps: Deps,
  result: ServiceResult,
  step: IncidentStep,
  open: OpenIncident | undefined,
  healAfter: number,
): Promise<{ number: number; url: string } | undefined> {
  if (step.kind === 'none') return undefined;
  if (step.kind === 'open') return openIncident(deps, result, step.doc, healAfter);
  if (!open) throw new Error(`ops: ${step.kind} for ${result.service} without an open incident`);
  const { number, url } = open;
  if (step.kind === 'still-failing') {
    await writeBody(deps, number, incidentBody(result, step.doc, deps.ctx.runUrl, healAfter), step.doc);
    if (step.relapsed) await comment(deps, number, relapseComment(result, deps.ctx.runUrl));
  } else if (step.kind === 'healthy-run') {
    await deps.octokit.rest.issues.update({
      ...deps.ctx.repo,
      issue_number: number,
      body: withIncidentMarker(open.body, renderIncidentMarker(step.doc, deps.seal, number)),
    });
  } else {
    await comment(deps, number, healedComment(step.doc, new Date(deps.now()).toISOString(), deps.ctx.runUrl));
    await deps.octokit.rest.issues.update({
      ...deps.ctx.repo,
      issue_number: number,
      body: withIncidentMarker(open.body, renderIncidentMarker(step.doc, deps.seal, number)),
      state: 'closed',
      state_reason: 'completed',
    });
    core.info(`Ops: closed incident #${number}: ${result.service} is healthy again`);
    await announce(deps, {
      event: 'ops.healed',
      issue: number,
      url,
      summary: `${result.service} is healthy again`,
    });
  }
  return { number, url };
}
