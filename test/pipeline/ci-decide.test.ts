// The CI follow-up rule, before any model spend: bound, flake check, same failure twice, fix.
import { describe, expect, it } from 'vitest';
import { decideCi, signatureHash } from '../../src/pipeline/ci-fix.js';

const SIG = 'test / npm test / Error: boom';
const now = (over: Partial<Parameters<typeof decideCi>[1]> = {}) => ({
  runId: 7,
  signature: SIG,
  max: 3,
  touchesChanges: false,
  ...over,
});

describe('decideCi', () => {
  it('reruns a failure never seen on this task that names nothing Pilot changed', () => {
    expect(decideCi({}, now())).toBe('rerun');
  });

  it('fixes a never-seen failure that names a path Pilot changed (no rerun)', () => {
    expect(decideCi({}, now({ touchesChanges: true }))).toBe('fix');
  });

  it('fixes when the flake check’s own rerun failed again', () => {
    expect(decideCi({ ciRerun: 7, ciSignature: SIG, ciSeen: [signatureHash(SIG)] }, now())).toBe('fix');
  });

  it('stops on the same failure right after a fix', () => {
    expect(decideCi({ ciFixes: 1, ciSignature: SIG, ciSeen: [signatureHash(SIG)] }, now({ runId: 8 }))).toBe(
      'same',
    );
  });

  it('fixes a failure seen before on this task without another rerun', () => {
    const seen = { ciFixes: 1, ciSignature: 'other', ciSeen: [signatureHash(SIG)] };
    expect(decideCi(seen, now({ runId: 9 }))).toBe('fix');
  });

  it('starts nothing once max-ci-fixes fixes are used, whatever the failure', () => {
    expect(decideCi({ ciFixes: 3 }, now())).toBe('bound');
    expect(decideCi({ ciFixes: 3, ciRerun: 7 }, now())).toBe('bound');
    expect(decideCi({}, now({ max: 0 }))).toBe('bound');
  });
});
