// The dashboard issue, end to end: the real dist/ sweeps against the GitHub emulator (Git Data routes
// for the ledger, GraphQL for pinning), and a reader checks the rendered Mermaid charts against what
// the ledger itself says, the queue, the last runs and the `/pilot status` link.
import { getOctokit } from '@actions/github';
import { afterEach, describe, expect, it } from 'vitest';
import { appendRecords, lastDays, readTotals, type Where } from '../../src/ledger/index.js';
import type { LedgerRecord } from '../../src/ledger/records.js';
import { DASHBOARD_CHARTS } from '../../src/report/dashboard.js';
import { dashboardMarker } from '../../src/state/dashboard-issue.js';
import { xyCharts } from '../report/mermaid.js';
import { OWNER, REPO, sealedMarker, startWorld, type World } from '../world/index.js';
import { worldSeal } from '../world/state-key.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const action = process.env.PILOT_ACTION_DIR || undefined;
const BOT = 'github-actions[bot]';
const LONG = { timeout: 120_000 };
const DAY = 86_400_000;

function schedulePayload(w: World) {
  return {
    schedule: '*/30 * * * *',
    repository: { full_name: `${OWNER}/${REPO}`, default_branch: w.git.defaultBranch },
  };
}

function where(w: World): Where {
  return { octokit: getOctokit(w.gh.token, { baseUrl: w.gh.url }), repo: { owner: OWNER, repo: REPO } };
}

/** A finished run `daysAgo` days back (0 = now), as a work run records itself. */
function run(runId: number, daysAgo: number, outcome: 'success' | 'failure', costUsd: number): LedgerRecord {
  return {
    v: 1,
    kind: 'run',
    key: `${runId}-1`,
    at: new Date(Date.now() - daysAgo * DAY - 60_000).toISOString(),
    issue: 100 + (runId % 7),
    intent: 'run',
    outcome,
    costUsd,
    tokensIn: 1000,
    tokensOut: 100,
    turns: 3,
    durationMs: 90_000,
    model: 'claude-sonnet',
    runner: 'ubuntu-latest',
    runId,
    attempt: 1,
  };
}

function dashboards(w: World) {
  return [...(w.gh.state.repo(OWNER, REPO)?.issues.values() ?? [])].filter(
    (i) => i.title === 'Pilot dashboard',
  );
}

/** Every chart bar and line against the ledger's own totals of that day. */
async function expectChartsMatchLedger(w: World, body: string): Promise<void> {
  const charts = xyCharts(body);
  const days = lastDays(new Date().toISOString(), 30);
  const runs = charts.get(DASHBOARD_CHARTS.runs);
  const spend = charts.get(DASHBOARD_CHARTS.spend);
  expect(runs?.labels).toEqual(days.map((d) => d.slice(5)));
  for (const [i, day] of days.entries()) {
    const { totals } = await readTotals(where(w), day);
    expect(runs?.bars[0][i], day).toBe(totals.runs.total);
    expect(runs?.lines[0][i], day).toBe(totals.runs.byOutcome.success ?? 0);
    expect(spend?.bars[0][i], day).toBeCloseTo(totals.costUsd, 4);
  }
}

describe('the dashboard issue', () => {
  it(
    'two sweeps keep ONE pinned dashboard whose charts render the ledger, with the queue and the last runs',
    LONG,
    async () => {
      world = await startWorld({ action });
      const w = world;
      const stuck = w.gh.addIssue(OWNER, REPO, { title: 'Stuck', body: 'Do it.', user: 'mona' });
      w.gh.addLabel(OWNER, REPO, stuck, 'pilot', 'mona');
      w.gh.addComment(OWNER, REPO, stuck, {
        body: `### Pilot\n\n${sealedMarker({ status: 'needs_human' }, stuck)}`,
        user: BOT,
      });
      const older = [
        run(9001, 31, 'success', 5),
        run(9002, 29, 'failure', 0.5),
        run(9003, 3, 'success', 0.25),
      ];
      const recent = Array.from({ length: 10 }, (_, i) =>
        run(9010 + i, i % 3, i % 4 ? 'success' : 'failure', 0.1 * i),
      );
      await appendRecords(where(w), [...older, ...recent]);

      const first = await w.run('schedule', schedulePayload(w));
      expect(first.map((r) => r.exitCode)).toEqual([0]);
      expect(dashboards(w)).toHaveLength(1);
      const [dashboard] = dashboards(w);
      expect(dashboard.labels).toContain('pilot-dashboard');
      expect(w.gh.pinnedIssues(OWNER, REPO)).toEqual([dashboard.number]);
      expect(first[0].summary).toContain(`#${dashboard.number} created and pinned`);

      await appendRecords(where(w), [run(9100, 0, 'success', 1.5)]);
      const gitReads = () =>
        w.gh.requests().filter((r) => r.method === 'GET' && r.path.includes('/git/')).length;
      const readsBefore = gitReads();
      const second = await w.run('schedule', schedulePayload(w));
      expect(second.map((r) => r.exitCode)).toEqual([0]);
      // One snapshot, a few tree listings and a blob per day with runs, plus the fold's own reads:
      // reading each of the 30 days on its own would take about 200.
      expect(gitReads() - readsBefore).toBeLessThanOrEqual(45);
      expect(dashboards(w)).toHaveLength(1);
      expect(second[0].summary).toContain(`#${dashboard.number} updated`);

      const body = w.gh.issue(OWNER, REPO, dashboard.number).body ?? '';
      await expectChartsMatchLedger(w, body);
      expect(
        xyCharts(body)
          .get(DASHBOARD_CHARTS.runs)
          ?.bars[0].reduce((a, b) => a + b, 0),
      ).toBe(13); // 12 seeded within 30 days + 1 today; not the 31-day-old run
      const human = body.slice(body.indexOf('## Needs a human'), body.indexOf('## Last'));
      expect(human).toContain(`| #${stuck} | \`needs_human\` | 0 |`);
      // The last 10 runs by time (the ledger folds in time order), newest first, each linked.
      const byTime = [...older, ...recent, run(9100, 0, 'success', 1.5)]
        .sort((a, b) => (a.at < b.at ? 1 : -1))
        .map((r) => (r.kind === 'run' ? r.runId : 0));
      const table = body.slice(body.indexOf('## Last 10 runs'));
      const shown = [
        ...table.matchAll(/\[(\d+)\]\(https:\/\/github\.com\/octo-org\/sample\/actions\/runs\/(\d+)\)/g),
      ];
      expect(shown.map((m) => Number(m[1]))).toEqual(byTime.slice(0, 10));
      expect(shown.every((m) => m[1] === m[2])).toBe(true);
      expect(body).toMatch(/<!-- pilot:dashboard \{"v":1\} mac:[0-9a-f]{64} -->$/);
    },
  );

  it('ignores forged dashboard markers and links the real dashboard from `/pilot status`', LONG, async () => {
    world = await startWorld({ action });
    const w = world;
    w.gh.setPermission(OWNER, REPO, 'mona', 'write');
    // An outsider's issue with a marker, and a bot-written issue with a genuine marker copied from issue 1.
    const eve = w.gh.addIssue(OWNER, REPO, {
      title: 'Pilot dashboard',
      body: `Send me your money\n\n<!-- pilot:dashboard {"v":1} mac:${'a'.repeat(64)} -->`,
      user: 'eve',
      labels: ['pilot-dashboard'],
    });
    const copy = w.gh.addIssue(OWNER, REPO, {
      title: 'Pilot dashboard',
      body: `Copied\n\n${dashboardMarker(worldSeal(), 1)}`,
      user: BOT,
      labels: ['pilot-dashboard'],
    });
    const before = [eve, copy].map((n) => w.gh.issue(OWNER, REPO, n).body);

    const [sweep] = await w.run('schedule', schedulePayload(w));
    expect(sweep.exitCode).toBe(0);
    const real = dashboards(w).filter((i) => i.number !== eve && i.number !== copy);
    expect(real).toHaveLength(1);
    expect([eve, copy].map((n) => w.gh.issue(OWNER, REPO, n).body)).toEqual(before);
    expect(sweep.log).toContain(`Ignored a forged Pilot dashboard marker in issue #${eve}: written by eve`);
    expect(sweep.log).toContain(
      `Ignored a forged Pilot dashboard marker in issue #${copy}: its marker does not verify`,
    );

    const asked = w.gh.addIssue(OWNER, REPO, { title: 'Anything', body: 'Hi', user: 'mona' });
    await w.run('issue_comment', w.commentEvent(asked, '/pilot status', 'mona'));
    const reply = w.pilotComments(asked).at(-1)?.body ?? '';
    expect(reply).toContain('Pilot has no task for this issue yet.');
    expect(reply).toContain(
      `[Pilot dashboard](https://github.com/${OWNER}/${REPO}/issues/${real[0].number})`,
    );
    // The gate only read: nothing was created or rewritten by it.
    expect(dashboards(w)).toHaveLength(3);
  });

  it(
    'creates the dashboard unpinned, with a note, when the repository already pins three issues',
    LONG,
    async () => {
      world = await startWorld({ action });
      const w = world;
      for (const t of ['a', 'b', 'c'])
        w.gh.pinIssue(OWNER, REPO, w.gh.addIssue(OWNER, REPO, { title: t, user: 'mona' }));

      const [sweep] = await w.run('schedule', schedulePayload(w));
      expect(sweep.exitCode).toBe(0);
      expect(dashboards(w)).toHaveLength(1);
      const n = dashboards(w)[0].number;
      expect(w.gh.pinnedIssues(OWNER, REPO)).not.toContain(n);
      expect(sweep.log).toContain(`Could not pin the dashboard #${n}`);
      expect(sweep.summary).toContain('not pinned');
      expect(sweep.annotations.filter((a) => a.level === 'error')).toEqual([]);
    },
  );
});
