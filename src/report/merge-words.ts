// The merge autopilot's words: one section at the end of the tracking comment, replaced on every
// attempt, saying what Pilot did or exactly what blocks the merge. Pure: src/pipeline/merge.ts acts.

/** Where the section starts; everything after it is the previous attempt's section. */
export const MERGE_SECTION = '**Merge autopilot:**';

export type MergeNote =
  | { kind: 'merged'; pr: number; sha: string | null; branchDeleted: boolean; issueNote?: string }
  | { kind: 'auto-merge'; pr: number; method: string }
  | { kind: 'updated'; pr: number }
  | { kind: 'waiting'; pr: number; reason: string }
  | { kind: 'refused'; pr: number; reason: string };

function sentence(note: MergeNote): string {
  switch (note.kind) {
    case 'merged': {
      const sha = note.sha ? ` as ${note.sha.slice(0, 7)}` : '';
      const branch = note.branchDeleted ? ' The branch was deleted.' : '';
      return `merged #${note.pr}${sha}.${branch}${note.issueNote ? ` ${note.issueNote}` : ''}`;
    }
    case 'auto-merge':
      return `auto-merge (${note.method}) is enabled on #${note.pr}: GitHub merges it once the required checks and reviews pass.`;
    case 'updated':
      return `#${note.pr} was behind its base branch under strict required checks; Pilot brought it up to date and merges once the checks pass on the new head.`;
    case 'waiting':
      return `#${note.pr} is not merged yet: ${note.reason}`;
    case 'refused':
      return `Pilot will not merge #${note.pr}: ${note.reason}`;
  }
}

/**
 * The tracking comment's visible text with this attempt's section instead of the last one's.
 * `tokenNote` (once, with the default GITHUB_TOKEN) says what a merge by that token cannot start.
 */
export function withMergeSection(visible: string, note: MergeNote, tokenNote?: string): string {
  const at = visible.indexOf(`\n\n---\n${MERGE_SECTION}`);
  const before = (at < 0 ? visible : visible.slice(0, at)).trimEnd();
  const lines = [`${MERGE_SECTION} ${sentence(note)}`];
  if (tokenNote) lines.push('', tokenNote);
  const headline = note.kind === 'merged' ? mergedHeadline(before, note.pr) : before;
  return `${headline}\n\n---\n${lines.join('\n')}`;
}

/** A merged task's first line says so. */
function mergedHeadline(visible: string, pr: number): string {
  return visible.replace(/^### .*$/m, `### 🎉 Pilot — merged #${pr}`);
}

/** With the default token GitHub starts no `push` workflow for a merge Pilot makes. */
export const GITHUB_TOKEN_MERGE_NOTE =
  'Note: this merge was made with the default `GITHUB_TOKEN`, so GitHub starts no `push` workflow for it ' +
  '(no CI on the base branch, so no signal to revert on). Pilot records the merge itself; use a GitHub App ' +
  'token (`app-id` + `app-private-key`) to have merges start your workflows.';
