// A sub-issue's hidden reference to its epic: only Pilot's state key makes one, and it names one issue,
// so a reference forged by an outsider or copied onto another issue names no epic.
import { describe, expect, it } from 'vitest';
import type { Deps } from '../../src/pipeline/deps.js';
import { epicOf, epicRef } from '../../src/pipeline/epic-approve.js';
import { stateSeal } from '../../src/security/state-key.js';

const deps = { seal: stateSeal({ current: 'k'.repeat(40) }, 'octo/sample') } as unknown as Deps;
const other = { seal: stateSeal({ current: 'x'.repeat(40) }, 'octo/sample') } as unknown as Deps;

describe("a sub-issue's reference to its epic", () => {
  it('names the epic on the issue it was made for', () => {
    expect(epicOf(deps, 7, `Do B.\n\nPart of epic #1.\n\n${epicRef(deps, 1, 7)}`)).toBe(1);
  });

  it('names nothing when copied onto another issue, forged under another key, or edited', () => {
    const real = epicRef(deps, 1, 7);
    expect(epicOf(deps, 8, `Mine now.\n\n${real}`)).toBeNull();
    expect(epicOf(deps, 7, epicRef(other, 1, 7))).toBeNull();
    expect(epicOf(deps, 7, real.replace('epic 1 ', 'epic 2 '))).toBeNull();
    expect(epicOf(deps, 7, `${real}\nmore text after the reference`)).toBeNull();
  });
});
