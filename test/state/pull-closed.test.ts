// pull_request.closed on Pilot's PR ends the task; decided in src/events like every other event.
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/events/decide.js';
import { pullRequestClosed } from './examples.js';

const OPTS = { triggerLabel: 'pilot', botLogin: 'github-actions[bot]' };

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are arbitrary JSON that tests index freely
type Payload = Record<string, any>;

function closed(mutate: (p: Payload) => void = () => undefined) {
  const p = pullRequestClosed();
  p.pull_request.head.ref = 'pilot/issue-12-add-a-thing';
  p.pull_request.head.repo = { ...p.pull_request.head.repo, full_name: 'o/r' };
  mutate(p);
  return decide({ eventName: 'pull_request', payload: p, repository: 'o/r', runAttempt: 1 }, OPTS);
}

describe('pull_request.closed', () => {
  it("on Pilot's PR becomes a gate reply for the task's issue, carrying the head branch", () => {
    const d = closed();
    expect(d).toMatchObject({
      type: 'intent',
      intent: {
        kind: 'reply',
        command: 'cancel',
        issue: 12,
        isPullRequest: true,
        trustedEvent: false,
        headBranch: 'pilot/issue-12-add-a-thing',
      },
    });
  });

  it.each([
    [
      'a branch that is not Pilot’s',
      (p: Payload) => (p.pull_request.head.ref = 'feature/x'),
      /not on a Pilot branch/,
    ],
    ['a fork head', (p: Payload) => (p.pull_request.head.repo.full_name = 'evil/r'), /another repository/],
    [
      'Pilot closing its own PR',
      (p: Payload) => (p.sender.login = 'github-actions[bot]'),
      /closed by Pilot itself/,
    ],
    [
      'another action',
      (p: Payload) => (p.action = 'opened'),
      /pull_request\.opened is not one Pilot acts on/,
    ],
  ])('ignores %s', (_, mutate, why) => {
    const d = closed(mutate);
    expect(d.type).toBe('ignore');
    expect(d.type === 'ignore' && d.reason).toMatch(why);
  });
});
