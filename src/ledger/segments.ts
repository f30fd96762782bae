// Appending lines to bounded segments: fill the current one, roll to the next at the record or
// byte bound or when the month changes. Only the segments written to are rewritten.
import type { Head, SegmentRef } from './head.js';
import { blobSha, type Limits, segmentPath } from './layout.js';

interface Open {
  path: string;
  text: string;
  records: number;
}

function seqOf(path: string): number {
  return Number(/(\d+)\.jsonl$/.exec(path)?.[1] ?? 0);
}

function full(seg: Open, line: string, limits: Limits): boolean {
  return seg.records >= limits.segmentRecords || Buffer.byteLength(seg.text + line) > limits.segmentBytes;
}

function ref(seg: Open): SegmentRef {
  return { path: seg.path, sha: blobSha(seg.text), records: seg.records, bytes: Buffer.byteLength(seg.text) };
}

/**
 * Appends `lines` after the current segment (whose text is `currentText`), returning the files to
 * write and the head's new `segment` and `recent`.
 */
export function appendLines(
  head: Head,
  currentText: string,
  lines: string[],
  month: string,
  limits: Limits,
): { files: Map<string, string>; segment: SegmentRef; recent: SegmentRef[] } {
  const files = new Map<string, string>();
  let recent = head.recent;
  const cur = head.segment;
  let seg: Open = cur?.path.startsWith(`segments/${month}/`)
    ? { path: cur.path, text: currentText, records: cur.records }
    : { path: segmentPath(month, 1), text: '', records: 0 };
  if (cur && seg.path !== cur.path) recent = [cur, ...recent];
  for (const line of lines) {
    if (seg.records > 0 && full(seg, `${line}\n`, limits)) {
      files.set(seg.path, seg.text);
      recent = [ref(seg), ...recent];
      seg = { path: segmentPath(month, seqOf(seg.path) + 1), text: '', records: 0 };
    }
    seg.text += `${line}\n`;
    seg.records++;
  }
  files.set(seg.path, seg.text);
  return { files, segment: ref(seg), recent: recent.slice(0, limits.recentSegments) };
}
