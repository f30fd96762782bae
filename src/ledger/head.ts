// `head.json`: the ledger's index, also carried in each ledger commit's message so that one
// `GET /git/commits` tells a reader where the current segment and the newest totals are (their
// blob shas are computed locally, as git computes them) without walking the tree.
import { z } from 'zod';

const count = z.number().int().nonnegative();
const sha = z.string().regex(/^[0-9a-f]{40}$/);

export const SegmentRef = z.object({ path: z.string(), sha, records: count, bytes: count });
export type SegmentRef = z.infer<typeof SegmentRef>;

export const Head = z.object({
  v: z.literal(1),
  /** Records ever folded. */
  records: count,
  /** The segment appends go to; null before the first record. */
  segment: SegmentRef.nullable(),
  /** Earlier segments, newest first (bounded), for `readRecent`. */
  recent: z.array(SegmentRef),
  /** Blob shas of recently written totals documents, by path (bounded). */
  totals: z.record(z.string(), sha),
  /** Failed runs in a row, in the order records were folded. */
  failuresInRow: count,
});
export type Head = z.infer<typeof Head>;

export const EMPTY_HEAD: Head = { v: 1, records: 0, segment: null, recent: [], totals: {}, failuresInRow: 0 };

const SEPARATOR = '\n\n';

export function commitMessage(folded: number, head: Head): string {
  return `pilot ledger: ${folded} record(s)${SEPARATOR}${JSON.stringify(head)}`;
}

/** The index from a ledger commit's message; undefined when missing or not valid. */
export function headFromMessage(message: string): Head | undefined {
  const at = message.indexOf(SEPARATOR);
  if (at < 0) return undefined;
  try {
    const parsed = Head.safeParse(JSON.parse(message.slice(at + SEPARATOR.length)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
