// The dashboard issue's identity: only Pilot's own issue whose trailing marker verifies for that very
// number counts, and two sweeps that raced to create one converge on the oldest.
import { getOctokit } from '@actions/github';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  dashboardMarker,
  findDashboard,
  hasDashboardMarker,
  settleDashboard,
  writeDashboard,
} from '../../src/state/dashboard-issue.js';
import { type GitHubEmulator, startGitHub } from '../world/github/index.js';
import { worldSeal } from '../world/state-key.js';

const repo = { owner: 'octo-org', repo: 'sample' };
const BOT = 'github-actions[bot]';
const seal = worldSeal();
let gh: GitHubEmulator;

beforeEach(async () => {
  gh = await startGitHub();
  gh.addRepo(repo);
});
afterEach(async () => {
  await gh.close();
});

const octokit = () => getOctokit(gh.token, { baseUrl: gh.url });

describe('the dashboard marker', () => {
  it('verifies only last in the body and only for the issue it was sealed for', () => {
    const marker = dashboardMarker(seal, 5);
    expect(hasDashboardMarker(`text\n\n${marker}\n`, seal, 5)).toBe(true);
    expect(hasDashboardMarker(`text\n\n${marker}`, seal, 6)).toBe(false);
    expect(hasDashboardMarker(`${marker}\n\nmore text after it`, seal, 5)).toBe(false);
    expect(hasDashboardMarker(marker.replace('{"v":1}', '{"v":2}'), seal, 5)).toBe(false);
    expect(hasDashboardMarker(`text\n\n${dashboardMarker(worldSeal('other/repo'), 5)}`, seal, 5)).toBe(false);
  });
});

describe('the dashboard issue', () => {
  it('is created once with its label and marker, then found and updated in place', async () => {
    expect(await findDashboard(octokit(), repo, BOT, seal)).toBeNull();
    const created = await writeDashboard(octokit(), repo, null, 'first', seal);
    expect(created.created).toBe(true);
    const found = await findDashboard(octokit(), repo, BOT, seal);
    expect(found?.number).toBe(created.issue.number);
    const again = await writeDashboard(octokit(), repo, found, 'second', seal);
    expect(again).toEqual({ issue: found, created: false });
    const issue = gh.issue(repo.owner, repo.repo, created.issue.number);
    expect(issue.title).toBe('Pilot dashboard');
    expect(issue.labels).toEqual(['pilot-dashboard']);
    expect(issue.body?.startsWith('second\n\n<!-- pilot:dashboard')).toBe(true);
  });

  it('two sweeps that both created one converge on the oldest; the newer is closed and never found again', async () => {
    const a = await writeDashboard(octokit(), repo, null, 'from sweep A', seal);
    const b = await writeDashboard(octokit(), repo, null, 'from sweep B', seal);
    const settled = await settleDashboard(octokit(), repo, b.issue, 'from sweep B', BOT, seal);
    expect(settled.number).toBe(a.issue.number);
    const loser = gh.issue(repo.owner, repo.repo, b.issue.number);
    expect(loser.state).toBe('closed');
    expect(loser.labels).toEqual([]);
    expect(loser.body).toBe(`Duplicate of #${a.issue.number}.`);
    expect(gh.issue(repo.owner, repo.repo, a.issue.number).body).toContain('from sweep B');
    expect((await findDashboard(octokit(), repo, BOT, seal))?.number).toBe(a.issue.number);
  });

  it('refuses a text that could open a hidden comment and so hide or fake the marker', async () => {
    await expect(writeDashboard(octokit(), repo, null, 'x <!-- y', seal)).rejects.toThrow('may not contain');
  });
});
