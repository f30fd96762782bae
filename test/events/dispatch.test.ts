import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/events/decide.js';
import { DISPATCH_ARGS_MAX, DISPATCH_MAX_KEYS, toDispatchPayload } from '../../src/events/dispatch.js';
import type { EventDecision, Intent } from '../../src/events/intent.js';

const OPTS = { triggerLabel: 'pilot', botLogin: 'github-actions[bot]' };

const reviewFix: Intent = {
  kind: 'work',
  command: 'fix',
  source: 'review',
  trustedEvent: false,
  issue: 12,
  isPullRequest: false,
  sender: { login: 'reviewer', id: 77, type: 'User' },
  args: 'rename the helper',
  reviewId: 4242,
  headSha: 'a'.repeat(40),
  headBranch: 'pilot/issue-12-x',
  rerun: false,
};

function receive(clientPayload: unknown, action = 'pilot'): EventDecision {
  return decide(
    {
      eventName: 'repository_dispatch',
      payload: {
        action,
        client_payload: clientPayload,
        sender: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      },
      repository: 'acme/app',
      runAttempt: 1,
    },
    OPTS,
  );
}

describe('the dispatch payload', () => {
  it('round-trips a work intent from the gate to the work run', () => {
    const decision = receive(toDispatchPayload(reviewFix, 9001));
    expect(decision).toEqual({
      type: 'intent',
      intent: {
        ...reviewFix,
        headBranch: undefined,
        trustedEvent: true,
        gateRunId: 9001,
        commentId: undefined,
        dispatch: {
          realSender: expect.objectContaining({ login: 'github-actions[bot]' }),
          signed: expect.any(String),
          tag: undefined,
        },
      },
    });
  });

  it('carries a CI fix’s failed run id to the work run, within GitHub’s 10 keys', () => {
    const ciFix: Intent = {
      ...reviewFix,
      source: 'ci',
      args: '',
      reviewId: undefined,
      ciRun: { id: 31, attempt: 1, conclusion: 'failure' },
    };
    const payload = toDispatchPayload(ciFix, 9001, () => 'f'.repeat(64));
    expect(payload.ci_run_id).toBe(31);
    expect(Object.keys(payload).length).toBeLessThanOrEqual(DISPATCH_MAX_KEYS);
    const decision = receive(payload);
    expect(decision.type === 'intent' && decision.intent).toMatchObject({
      source: 'ci',
      headSha: 'a'.repeat(40),
      ciRun: { id: 31, conclusion: 'failure' },
    });
  });

  it('carries a tag over exactly the keys it sends, so the work run can tell Pilot sent it', () => {
    const sign = (text: string) => createHash('sha256').update(`k:${text}`).digest('hex');
    const payload = toDispatchPayload(reviewFix, 9001, sign);
    const decision = receive(JSON.parse(JSON.stringify(payload)));
    if (decision.type !== 'intent') throw new Error(decision.reason);
    expect(decision.intent.dispatch?.tag).toBe(sign(decision.intent.dispatch?.signed ?? ''));
    const changed = receive({ ...payload, command: 'run' });
    if (changed.type !== 'intent') throw new Error(changed.reason);
    expect(changed.intent.dispatch?.tag).not.toBe(sign(changed.intent.dispatch?.signed ?? ''));
  });

  it('stays within GitHub’s limit of 10 top-level keys with the tag, for a review and for a comment', () => {
    const tag = () => 'a'.repeat(64);
    const review = toDispatchPayload({ ...reviewFix, isPullRequest: true }, 1, tag);
    const comment = toDispatchPayload(
      { ...reviewFix, reviewId: undefined, headSha: undefined, commentId: 5, isPullRequest: true },
      1,
      tag,
    );
    for (const payload of [review, comment]) {
      expect(Object.keys(payload).length).toBeLessThanOrEqual(DISPATCH_MAX_KEYS);
      expect(payload.tag).toBe(tag());
    }
  });

  it('leaves out fields the intent does not have', () => {
    const payload = toDispatchPayload({ ...reviewFix, reviewId: undefined, headSha: undefined }, 1);
    expect(payload).not.toHaveProperty('review_id');
    expect(payload).not.toHaveProperty('head_sha');
  });

  it('caps long instructions without splitting a surrogate pair', () => {
    const args = `${'x'.repeat(DISPATCH_ARGS_MAX - 1)}😀tail`;
    const payload = toDispatchPayload({ ...reviewFix, args }, 1);
    expect(payload.args).toBe('x'.repeat(DISPATCH_ARGS_MAX - 1));
    expect(receive(payload).type).toBe('intent');
  });

  const forged: Array<[string, unknown]> = [
    ['an empty payload', {}],
    ['no payload at all', undefined],
    ['a string payload', 'run issue 1'],
    ['an issue number as a string', { ...toDispatchPayload(reviewFix, 1), issue: '12' }],
    ['a negative issue', { ...toDispatchPayload(reviewFix, 1), issue: -1 }],
    ['a fractional issue', { ...toDispatchPayload(reviewFix, 1), issue: 1.5 }],
    ['a reply command', { ...toDispatchPayload(reviewFix, 1), command: 'cancel' }],
    ['an unknown command', { ...toDispatchPayload(reviewFix, 1), command: 'deploy' }],
    ['an extra key', { ...toDispatchPayload(reviewFix, 1), admin: true }],
    ['oversized args', { ...toDispatchPayload(reviewFix, 1), args: 'x'.repeat(DISPATCH_ARGS_MAX + 1) }],
    ['a sender without a type', { ...toDispatchPayload(reviewFix, 1), sender: { login: 'a', id: 1 } }],
    [
      'a sender with an extra key',
      {
        ...toDispatchPayload(reviewFix, 1),
        sender: { login: 'a', id: 1, type: 'User', permission: 'admin' },
      },
    ],
    [
      'a sender login with spaces',
      { ...toDispatchPayload(reviewFix, 1), sender: { login: 'a b', id: 1, type: 'User' } },
    ],
    [
      'a sender login with a [bot] prefix trick',
      { ...toDispatchPayload(reviewFix, 1), sender: { login: '[bot]x', id: 1, type: 'Bot' } },
    ],
    [
      'an unknown sender type',
      { ...toDispatchPayload(reviewFix, 1), sender: { login: 'a', id: 1, type: 'Admin' } },
    ],
    ['a head SHA that is not a SHA', { ...toDispatchPayload(reviewFix, 1), head_sha: 'main' }],
    ['is_pr as a string', { ...toDispatchPayload(reviewFix, 1), is_pr: 'true' }],
    ['an unknown source', { ...toDispatchPayload(reviewFix, 1), source: 'admin' }],
  ];
  it.each(forged)('ignores a forged payload with %s, saying why', (_name, clientPayload) => {
    const decision = receive(clientPayload);
    expect(decision.type).toBe('ignore');
    if (decision.type === 'ignore') {
      expect(decision.reason).toMatch(/client_payload|repository_dispatch/);
      expect(decision.reason.length).toBeLessThanOrEqual(400);
    }
  });

  it('does not echo a huge forged key into the log reason', () => {
    const decision = receive({ ...toDispatchPayload(reviewFix, 1), ['k'.repeat(10_000)]: 1 });
    expect(decision.type === 'ignore' && decision.reason.length).toBeLessThanOrEqual(400);
  });

  it('ignores dispatches of another event type', () => {
    expect(receive(toDispatchPayload(reviewFix, 1), 'deploy')).toEqual({
      type: 'ignore',
      reason: "repository_dispatch event type 'deploy' is not 'pilot'",
    });
  });

  it('defaults the source to dispatch for external trackers that send only the essentials', () => {
    const decision = receive({
      issue: 3,
      command: 'run',
      sender: { login: 'jira-sync', id: 8, type: 'User' },
    });
    expect(decision).toMatchObject({
      type: 'intent',
      intent: { source: 'dispatch', args: '', isPullRequest: false },
    });
  });
});
