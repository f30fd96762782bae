import { describe, expect, it } from 'vitest';
import { MERGE_SECTION, withMergeSection } from '../../src/report/merge-words.js';

const VISIBLE = '### ✅ Pilot — pull request #5 is open\n\n| | |\n|---|---|\n| Cost | $0.42 |';

describe('the merge section of the tracking comment', () => {
  it('replaces the previous attempt’s section instead of piling them up', () => {
    const first = withMergeSection(VISIBLE, {
      kind: 'waiting',
      pr: 5,
      reason: 'required check `ci` failed.',
    });
    const second = withMergeSection(first, { kind: 'auto-merge', pr: 5, method: 'squash' });
    expect(second.split(MERGE_SECTION)).toHaveLength(2);
    expect(second).toContain('auto-merge (squash) is enabled on #5');
    expect(second).not.toContain('`ci` failed');
    expect(second.startsWith(VISIBLE)).toBe(true);
  });

  it('turns the headline into "merged" and says the token note once', () => {
    const note = { kind: 'merged' as const, pr: 5, sha: 'f'.repeat(40), branchDeleted: true };
    const text = withMergeSection(withMergeSection(VISIBLE, note, 'token note'), note, 'token note');
    expect(text).toMatch(/^### 🎉 Pilot — merged #5\n/);
    expect(text).toContain('merged #5 as fffffff. The branch was deleted.');
    expect(text.split('token note')).toHaveLength(2);
  });
});
