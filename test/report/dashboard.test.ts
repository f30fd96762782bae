// The dashboard's text, read the way a person reads the rendered issue: the charts' numbers, the
// spend against the budget, the queue, who needs a human, and the last runs with their links.
import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_CHARTS,
  type DashboardInput,
  type PeriodNumbers,
  renderDashboard,
  successRate,
} from '../../src/report/dashboard.js';
import { xyCharts } from './mermaid.js';

function day(period: string, byOutcome: Record<string, number>, costUsd: number): PeriodNumbers {
  const total = Object.values(byOutcome).reduce((a, b) => a + b, 0);
  return { period, costUsd, runs: { total, byOutcome } };
}

const DAYS = [
  day('2026-12-01', {}, 0),
  day('2026-12-02', { success: 3, failure: 1 }, 1.25),
  day('2026-12-03', { success: 1, no_changes: 1, cancelled: 2 }, 0.1 + 0.2),
];

function input(extra: Partial<DashboardInput> = {}): DashboardInput {
  return {
    now: '2026-12-03T14:05:09.000Z',
    days: DAYS,
    month: day('2026-12', { success: 4, failure: 1, no_changes: 1, cancelled: 2 }, 1.55),
    tasks: [
      { issue: 4, status: 'running', queued: 0 },
      { issue: 5, status: 'pr_open', queued: 2 },
      { issue: 6, status: 'pr_open', queued: 0 },
      { issue: 9, status: 'needs_human', queued: 0 },
    ],
    recent: [
      {
        runId: 42,
        issue: 4,
        intent: 'run',
        outcome: 'success',
        at: '2026-12-03T13:00:00.000Z',
        costUsd: 0.3,
        turns: 7,
        durationMs: 125_000,
      },
    ],
    runUrl: (id) => `https://github.com/o/r/actions/runs/${id}`,
    updatedBy: 'https://github.com/o/r/actions/runs/77',
    ...extra,
  };
}

describe('the dashboard text', () => {
  it('charts runs, successful runs and the success rate of each day', () => {
    const charts = xyCharts(renderDashboard(input()));
    const runs = charts.get(DASHBOARD_CHARTS.runs);
    expect(runs?.labels).toEqual(['12-01', '12-02', '12-03']);
    expect(runs?.bars).toEqual([[0, 4, 4]]);
    expect(runs?.lines).toEqual([[0, 3, 1]]);
    expect(runs?.top).toBeGreaterThanOrEqual(4);
    expect(charts.get(DASHBOARD_CHARTS.rate)?.lines).toEqual([[0, 75, 50]]);
  });

  it('counts success over finished runs only, and has no rate for a day without any', () => {
    expect(successRate(DAYS[0])).toBeNull();
    expect(successRate(DAYS[2])).toBe(50); // cancelled runs are not counted
  });

  it('shows spend alone when no budget is configured', () => {
    const text = renderDashboard(input());
    const spend = xyCharts(text).get(DASHBOARD_CHARTS.spend);
    expect(spend?.bars).toEqual([[0, 1.25, 0.3]]);
    expect(spend?.lines).toEqual([]);
    expect(text).toContain('- today (2026-12-03): $0.3000 (no daily budget set)');
    expect(text).toContain('- this month (2026-12): $1.55 (no monthly budget set)');
  });

  it('draws the daily budget beside the spend and says how much of each budget is used', () => {
    const text = renderDashboard(input({ budget: { daily: 2, monthly: 10 } }));
    const spend = xyCharts(text).get(DASHBOARD_CHARTS.spend);
    expect(spend?.lines).toEqual([[2, 2, 2]]);
    expect(spend?.top).toBeGreaterThanOrEqual(2);
    expect(text).toContain('$0.3000 of the daily budget $2.00 (15%)');
    expect(text).toContain('$1.55 of the monthly budget $10.00 (16%)');
  });

  it('lists the queue (running, or with commands waiting) and the tasks that need a human', () => {
    const text = renderDashboard(input());
    const queue = text.slice(text.indexOf('## Queue'), text.indexOf('## Needs a human'));
    expect(queue).toContain('| #4 | `running` | 0 |');
    expect(queue).toContain('| #5 | `pr_open` | 2 |');
    expect(queue).not.toContain('#6');
    const human = text.slice(text.indexOf('## Needs a human'), text.indexOf('## Last'));
    expect(human).toContain('| #9 | `needs_human` | 0 |');
  });

  it('links each of the last runs to its workflow run', () => {
    const text = renderDashboard(input());
    expect(text).toContain(
      '| 2026-12-03 13:00 | #4 | run | success | $0.3000 | 7 | 2m 5s | [42](https://github.com/o/r/actions/runs/42) |',
    );
    expect(text).toContain('by [the sweep](https://github.com/o/r/actions/runs/77)');
  });

  it('says so plainly when there is nothing to show', () => {
    const text = renderDashboard(input({ tasks: [], recent: [] }));
    expect(text).toContain('Nothing queued or running.');
    expect(text).toContain('No task is waiting for a person.');
    expect(text).toContain('No runs recorded yet.');
  });

  it('never lets a stored word become markup, a mention, a code fence or a hidden comment', () => {
    const text = renderDashboard(
      input({
        tasks: [{ issue: 3, status: 'queued <!-- @org/team ```', queued: 1 }],
        recent: [{ ...input().recent[0], intent: '<img src=x>', outcome: '[x](javascript:1)' }],
      }),
    );
    expect(text).not.toContain('<!--');
    expect(text.match(/```/g)).toHaveLength(6); // the three charts' fences, no more
    expect(text).not.toContain('@org');
    expect(text).not.toContain('<img');
    expect(text).not.toContain('javascript:');
    expect(text).toContain('| #3 | `?` | 1 |');
  });
});
