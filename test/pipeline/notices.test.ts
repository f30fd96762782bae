// Which events a finished work run announces, from what it reports (the e2e in
// test/e2e/budget-notify.e2e.test.ts shows them arriving at a signed webhook).
import { describe, expect, it } from 'vitest';
import { endNotices } from '../../src/pipeline/notices.js';

const facts = {
  issue: 7,
  title: 'Fix it',
  trackingUrl: 'https://github.com/acme/app/issues/7#issuecomment-1',
};

describe('the end of a work run announces', () => {
  it('pr.created then task.succeeded for a new pull request', () => {
    const notices = endNotices(
      {
        conclusion: 'success',
        taskStatus: 'pr_open',
        prNumber: 9,
        prUrl: 'https://github.com/acme/app/pull/9',
        costUsd: 0.4,
      },
      { ...facts, prCreated: true },
    );
    expect(notices.map((n) => [n.event, n.url])).toEqual([
      ['pr.created', 'https://github.com/acme/app/pull/9'],
      ['task.succeeded', 'https://github.com/acme/app/pull/9'],
    ]);
  });

  it('no pr.created for a pull request it only updated', () => {
    const notices = endNotices(
      { conclusion: 'success', taskStatus: 'pr_open', prNumber: 9, prUrl: 'u' },
      facts,
    );
    expect(notices.map((n) => n.event)).toEqual(['task.succeeded']);
  });

  it('needs_human (not task.failed) when a person has to decide, task.failed otherwise', () => {
    expect(
      endNotices({ conclusion: 'failure', taskStatus: 'needs_human' }, facts).map((n) => n.event),
    ).toEqual(['needs_human']);
    expect(endNotices({ conclusion: 'failure', taskStatus: 'failed' }, facts)).toEqual([
      expect.objectContaining({ event: 'task.failed', url: facts.trackingUrl, summary: 'ended failed' }),
    ]);
    expect(endNotices({ conclusion: 'cancelled', taskStatus: 'cancelled' }, facts)).toEqual([]);
  });
});
