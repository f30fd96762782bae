import { describe, expect, it } from 'vitest';
import { decideMerge, type MergeFacts } from '../../src/pipeline/merge-decide.js';

const HEAD = 'a'.repeat(40);
const OTHER = 'b'.repeat(40);
const PROD = { name: 'prod', autopilot: 'merge' as const, requireApproval: true };

function facts(over: Partial<MergeFacts> = {}, pull: Partial<MergeFacts['pull']> = {}): MergeFacts {
  return {
    task: { status: 'pr_open', headSha: HEAD, pr: 5 },
    pull: {
      number: 5,
      state: 'open',
      merged: false,
      draft: false,
      headSha: HEAD,
      mergeableState: 'clean',
      ...pull,
    },
    autoMergeAllowed: true,
    required: { strict: false, contexts: ['ci'] },
    checks: [{ name: 'ci', status: 'completed', conclusion: 'success' }],
    changesRequestedBy: [],
    unresolvedThreadsBy: [],
    limits: { mergesLastHour: 0, maxPerHour: 10 },
    ...over,
  };
}

describe('decideMerge', () => {
  it.each([
    ['a clean PR with green required checks merges directly', facts(), 'merge'],
    [
      'a PR still waiting on something enables auto-merge',
      facts({}, { mergeableState: 'blocked' }),
      'enable-auto',
    ],
    [
      'without auto-merge a clean PR with green checks merges directly',
      facts({ autoMergeAllowed: false }),
      'merge',
    ],
    ['a merged PR is reported merged', facts({}, { merged: true }), 'merged'],
    [
      'a PR behind its base under strict checks is updated',
      facts({ required: { strict: true, contexts: ['ci'] } }, { mergeableState: 'behind' }),
      'update-branch',
    ],
  ])('%s', (_name, input, action) => {
    expect(decideMerge(input).action).toBe(action);
  });

  it.each([
    ['a draft', facts({}, { draft: true }), /draft/],
    [
      'a head Pilot did not push',
      facts({}, { headSha: OTHER }),
      /bbbbbbb is not the commit Pilot pushed last \(aaaaaaa\)/,
    ],
    [
      'a PR the task does not record',
      facts({ task: { status: 'pr_open', headSha: HEAD, pr: 9 } }),
      /does not record/,
    ],
    ['a closed PR', facts({}, { state: 'closed' }), /closed/],
    [
      'an approval environment whose GitHub Environment has no required reviewers',
      facts({ environments: [{ ...PROD, protection: { exists: true, reviewers: 0 } }] }),
      /`pilot-prod` has no required reviewers/,
    ],
    [
      'an approval environment GitHub does not have (a job would create it unprotected)',
      facts({ environments: [{ ...PROD, protection: { exists: false } }] }),
      /`pilot-prod` does not exist/,
    ],
    [
      'an environment named by a label but not configured',
      facts({ environments: [{ name: 'staging', unknown: true, requireApproval: false }] }),
      /`env:staging` names no environment/,
    ],
    [
      'an environment that does not merge',
      facts({ environments: [{ name: 'dev', autopilot: 'ci', requireApproval: false }] }),
      /`autopilot: ci`/,
    ],
  ])('refuses %s', (_name, input, reason) => {
    const d = decideMerge(input);
    expect(d.action).toBe('refuse');
    expect(d.action === 'refuse' && d.reason).toMatch(reason);
  });

  it.each([
    [
      'a red required check, named',
      facts({ checks: [{ name: 'ci', status: 'completed', conclusion: 'failure' }] }),
      /required check `ci` failed/,
    ],
    [
      'a red check even with auto-merge allowed',
      facts(
        { checks: [{ name: 'ci', status: 'completed', conclusion: 'failure' }] },
        { mergeableState: 'blocked' },
      ),
      /`ci` failed/,
    ],
    [
      'a pending required check without auto-merge',
      facts({ autoMergeAllowed: false, checks: [] }),
      /`ci` has not passed/,
    ],
    ['changes requested by a maintainer', facts({ changesRequestedBy: ['carol'] }), /@carol/],
    [
      'unresolved review threads (one of an unknown author)',
      facts({ unresolvedThreadsBy: ['carol', ''] }),
      /2 unresolved review thread\(s\) started by @carol, an unknown reviewer/,
    ],
    [
      'the hourly limit',
      facts({ limits: { mergesLastHour: 10, maxPerHour: 10 } }),
      /max-merges-per-hour: 10/,
    ],
    [
      'a tripped breaker',
      facts({ limits: { mergesLastHour: 0, maxPerHour: 10, breakerTripped: 'paused: 3 failures' } }),
      /paused/,
    ],
    ['a PR with conflicts', facts({}, { mergeableState: 'dirty' }), /conflicts/],
    [
      'a blocked PR without auto-merge',
      facts({ autoMergeAllowed: false }, { mergeableState: 'blocked' }),
      /blocked/,
    ],
    [
      'no checks at all on the head (nothing tested it)',
      facts({ autoMergeAllowed: false, required: { strict: false, contexts: [] }, checks: [] }),
      /no checks have reported/,
    ],
    [
      'the approval of a protected environment, even with auto-merge allowed',
      facts(
        { environments: [{ ...PROD, protection: { exists: true, reviewers: 1 } }] },
        { mergeableState: 'blocked' },
      ),
      /requires approval: the merge waits for a required reviewer of the GitHub Environment `pilot-prod`/,
    ],
    [
      'a task that is not pr_open',
      facts({ task: { status: 'ci_fixing', headSha: HEAD, pr: 5 } }),
      /ci_fixing/,
    ],
  ])('waits for %s', (_name, input, reason) => {
    const d = decideMerge(input);
    expect(d.action).toBe('wait');
    expect(d.action === 'wait' && d.reason).toMatch(reason);
  });

  it('merges under an environment that needs no approval', () => {
    const dev = { name: 'dev', autopilot: 'merge' as const, requireApproval: false };
    expect(decideMerge(facts({ environments: [dev] })).action).toBe('merge');
  });

  it('counts every reported check as required when the branch names none', () => {
    const d = decideMerge(
      facts({
        required: { strict: false, contexts: [] },
        checks: [
          { name: 'lint', status: 'completed', conclusion: 'success' },
          { name: 'test', status: 'completed', conclusion: 'timed_out' },
        ],
      }),
    );
    expect(d).toEqual({ action: 'wait', reason: expect.stringMatching(/`test` failed/) });
  });
});
