// The one "Pilot dashboard" issue. It is found by its label (one request, whatever the repository's
// size) and counts only when Pilot's identity wrote it AND its trailing marker verifies under
// pilot-state-key for that very issue number: anyone who can label an issue can paste a marker, and
// every workflow using the default token writes as the same `github-actions[bot]` as Pilot.
import * as core from '@actions/core';
import { DASHBOARD_LABEL, DASHBOARD_MARKER_PREFIX, DASHBOARD_TITLE } from '../constants.js';
import type { Octokit, Repo } from '../github/client.js';
import { redact } from '../security/redact.js';
import type { StateSeal } from '../security/state-key.js';

export interface DashboardIssue {
  number: number;
  nodeId: string;
  url: string;
}

const MARKER_SUFFIX = '-->';
const MARKER_JSON = '{"v":1}';

export function dashboardMarker(seal: StateSeal, issue: number): string {
  const mac = seal.sign({ purpose: 'dashboard', issue }, MARKER_JSON);
  return `${DASHBOARD_MARKER_PREFIX} ${MARKER_JSON} mac:${mac} ${MARKER_SUFFIX}`;
}

/** True when the body ENDS with a marker sealed for this issue (a marker anywhere else is not Pilot's). */
export function hasDashboardMarker(body: string, seal: StateSeal, issue: number): boolean {
  const trimmed = body.trimEnd();
  const at = trimmed.lastIndexOf(DASHBOARD_MARKER_PREFIX);
  if (at < 0 || !trimmed.endsWith(MARKER_SUFFIX)) return false;
  const inner = trimmed.slice(at + DASHBOARD_MARKER_PREFIX.length, -MARKER_SUFFIX.length).trim();
  const match = /^(\{.*\}) mac:([0-9a-f]{64})$/.exec(inner);
  return match !== null && seal.verify({ purpose: 'dashboard', issue }, match[1], match[2]);
}

type Listed = {
  number: number;
  node_id: string;
  html_url: string;
  body?: string | null;
  user?: { login: string } | null;
  pull_request?: unknown;
};

/** Pilot's dashboards, oldest first; a labelled issue with a marker that does not verify is reported. */
async function dashboards(octokit: Octokit, repo: Repo, pilotLogin: string, seal: StateSeal) {
  // One page: the label is Pilot's own, so more than 100 issues carrying it is not a dashboard problem.
  const { data } = await octokit.rest.issues.listForRepo({
    ...repo,
    labels: DASHBOARD_LABEL,
    state: 'all',
    sort: 'created',
    direction: 'asc',
    per_page: 100,
  });
  const found: DashboardIssue[] = [];
  for (const issue of data as Listed[]) {
    if (issue.pull_request || !(issue.body ?? '').includes(DASHBOARD_MARKER_PREFIX)) continue;
    const byPilot = (issue.user?.login ?? '').toLowerCase() === pilotLogin.toLowerCase();
    if (byPilot && hasDashboardMarker(issue.body ?? '', seal, issue.number)) {
      found.push({ number: issue.number, nodeId: issue.node_id, url: issue.html_url });
    } else {
      const why = byPilot
        ? 'its marker does not verify under pilot-state-key'
        : `written by ${issue.user?.login}`;
      core.warning(redact(`Ignored a forged Pilot dashboard marker in issue #${issue.number}: ${why}`));
    }
  }
  return found;
}

/** The dashboard issue, or null while there is none. Reads only (the gate uses it). */
export async function findDashboard(
  octokit: Octokit,
  repo: Repo,
  pilotLogin: string,
  seal: StateSeal,
): Promise<DashboardIssue | null> {
  return (await dashboards(octokit, repo, pilotLogin, seal))[0] ?? null;
}

function bodyOf(visible: string, seal: StateSeal, issue: number): string {
  // The text is Pilot's own numbers; a `<!--` in it could still hide the marker, so refuse it.
  if (visible.includes('<!--')) throw new Error('The dashboard text may not contain "<!--"');
  return `${visible}\n\n${dashboardMarker(seal, issue)}`;
}

/** Updates the dashboard, or creates it (then it is pinned by the caller). */
export async function writeDashboard(
  octokit: Octokit,
  repo: Repo,
  existing: DashboardIssue | null,
  visible: string,
  seal: StateSeal,
): Promise<{ issue: DashboardIssue; created: boolean }> {
  if (existing) {
    await octokit.rest.issues.update({
      ...repo,
      issue_number: existing.number,
      body: bodyOf(visible, seal, existing.number),
    });
    return { issue: existing, created: false };
  }
  // The marker binds the issue number, known only once the issue exists: create, then seal.
  const { data } = await octokit.rest.issues.create({
    ...repo,
    title: DASHBOARD_TITLE,
    body: 'Pilot is setting up its dashboard…',
    labels: [DASHBOARD_LABEL],
  });
  await octokit.rest.issues.update({
    ...repo,
    issue_number: data.number,
    body: bodyOf(visible, seal, data.number),
  });
  return { issue: { number: data.number, nodeId: data.node_id, url: data.html_url }, created: true };
}

/**
 * Two sweeps that both found no dashboard both create one. The oldest wins: a newer one is closed
 * without its label or marker (so it is never found again) and points at the oldest.
 */
export async function settleDashboard(
  octokit: Octokit,
  repo: Repo,
  mine: DashboardIssue,
  visible: string,
  pilotLogin: string,
  seal: StateSeal,
): Promise<DashboardIssue> {
  const oldest = await findDashboard(octokit, repo, pilotLogin, seal);
  if (!oldest || oldest.number === mine.number) return mine;
  core.info(`Another sweep created dashboard #${oldest.number} first: closing #${mine.number}`);
  await octokit.rest.issues.update({
    ...repo,
    issue_number: mine.number,
    state: 'closed',
    state_reason: 'not_planned',
    labels: [],
    body: `Duplicate of #${oldest.number}.`,
  });
  await octokit.rest.issues.update({
    ...repo,
    issue_number: oldest.number,
    body: bodyOf(visible, seal, oldest.number),
  });
  return oldest;
}
