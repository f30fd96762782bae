// Memory: learnings kept in the ledger (refs/pilot/ledger), so they outlive every Actions cache. The
// records (`learning`, `forget`, `learning-hits`) are appended like any other; a fold also keeps
// `memory.json`, the current learnings with their hits, so a run reads one file, not the history.
// The fold cannot tell a sealed record from a forged one (it has no key): the reader does. Only a
// learning whose MAC verifies under pilot-state-key counts, and only a sealed tombstone forgets one.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { StateSeal } from '../security/state-key.js';
import type { Where } from './git-data.js';
import {
  type ForgetRecord,
  LEARNING_SOURCES,
  LearningId,
  type LearningRecord,
  type LedgerRecord,
  type Problem,
} from './records.js';
import { readFile, readSnapshot, type Snapshot } from './snapshot.js';

export const MEMORY_PATH = 'memory.json';
/** The oldest learnings beyond this are dropped by the fold: a prompt could never carry them all. */
export const MAX_LEARNINGS = 500;

const count = z.number().int().nonnegative();
const Mac = z.string().regex(/^[0-9a-f]{64}$/);

export const Learning = z.object({
  id: LearningId,
  text: z.string().max(1000),
  source: z.enum(LEARNING_SOURCES),
  paths: z.array(z.string().max(300)).max(20),
  created: z.iso.datetime(),
  by: z.string().max(120),
  mac: Mac,
  hits: count,
});
export type Learning = z.infer<typeof Learning>;

const Tombstone = z.object({ id: LearningId, at: z.iso.datetime(), by: z.string().max(120), mac: Mac });

export const MemoryDoc = z.object({
  v: z.literal(1),
  learnings: z.array(Learning),
  forgotten: z.array(Tombstone),
});
export type MemoryDoc = z.infer<typeof MemoryDoc>;

export const EMPTY_MEMORY: MemoryDoc = { v: 1, learnings: [], forgotten: [] };

/** A fresh id: short enough to type in `/pilot forget m-…`. */
export function newLearningId(random: () => Buffer = () => randomBytes(3)): string {
  return `m-${random().toString('hex')}`;
}

/** What a learning's MAC covers: every field a prompt or a listing shows. */
function learningText(l: Pick<LearningRecord, 'id' | 'text' | 'source' | 'paths' | 'by' | 'at'>): string {
  return ['learning', l.id, l.source, l.by, l.at, l.paths.join('\n'), l.text].join('\0');
}

function forgetText(f: Pick<ForgetRecord, 'id' | 'by' | 'at'>): string {
  return ['forget', f.id, f.by, f.at].join('\0');
}

export function sealLearning(
  seal: StateSeal,
  l: Omit<LearningRecord, 'v' | 'kind' | 'key' | 'mac'>,
): LearningRecord {
  const mac = seal.sign({ purpose: 'memory' }, learningText(l));
  return { v: 1, kind: 'learning', key: `learning-${l.id}`, ...l, mac };
}

export function sealForget(seal: StateSeal, f: Pick<ForgetRecord, 'id' | 'by' | 'at'>): ForgetRecord {
  const mac = seal.sign({ purpose: 'memory' }, forgetText(f));
  return { v: 1, kind: 'forget', key: `forget-${f.id}-${f.at.replace(/[^0-9]/g, '')}`, ...f, mac };
}

export function isMemoryRecord(r: LedgerRecord): boolean {
  return r.kind === 'learning' || r.kind === 'forget' || r.kind === 'learning-hits';
}

/** Applies memory records to the document (pure): a learning is added, a tombstone kept, hits counted. */
export function applyMemory(doc: MemoryDoc, records: LedgerRecord[]): MemoryDoc {
  let learnings = [...doc.learnings];
  const forgotten = [...doc.forgotten];
  for (const r of records) {
    if (r.kind === 'learning' && !learnings.some((l) => l.id === r.id)) {
      const { id, text, source, paths, by, mac } = r;
      learnings.push({ id, text, source, paths, created: r.at, by, mac, hits: 0 });
    } else if (r.kind === 'forget') {
      forgotten.push({ id: r.id, at: r.at, by: r.by, mac: r.mac });
    } else if (r.kind === 'learning-hits') {
      const hit = new Set(r.ids);
      learnings = learnings.map((l) => (hit.has(l.id) ? { ...l, hits: l.hits + 1 } : l));
    }
  }
  return { v: 1, learnings: learnings.slice(-MAX_LEARNINGS), forgotten: forgotten.slice(-4 * MAX_LEARNINGS) };
}

/** Reads `memory.json` of a snapshot; a corrupt document is reported and starts again empty. */
export async function loadMemory(w: Where, snap: Snapshot, problems: Problem[]): Promise<MemoryDoc> {
  const text = await readFile(w, snap, MEMORY_PATH);
  if (text === undefined) return EMPTY_MEMORY;
  try {
    const parsed = MemoryDoc.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    problems.push({ where: MEMORY_PATH, message: parsed.error.issues.map((i) => i.message).join('; ') });
  } catch {
    problems.push({ where: MEMORY_PATH, message: 'not JSON' });
  }
  return EMPTY_MEMORY;
}

export interface Memory {
  /** Sealed learnings no sealed tombstone forgot, oldest first. */
  learnings: Learning[];
  /** Entries that did not verify (forged or sealed with a retired key): ignored, counted. */
  forged: number;
}

/** The learnings that count: sealed by Pilot, and not forgotten by a sealed tombstone. */
export function verifiedMemory(doc: MemoryDoc, seal: StateSeal): Memory {
  const scope = { purpose: 'memory' as const };
  let forged = 0;
  const gone = new Set<string>();
  for (const t of doc.forgotten) {
    if (seal.verify(scope, forgetText(t), t.mac)) gone.add(t.id);
    else forged++;
  }
  const learnings = doc.learnings.filter((l) => {
    const ok = seal.verify(scope, learningText({ ...l, at: l.created }), l.mac);
    if (!ok) forged++;
    return ok && !gone.has(l.id);
  });
  return { learnings, forged };
}

/** The repository's learnings: one snapshot and one file, however long the history. */
export async function readMemory(w: Where, seal: StateSeal): Promise<Memory & { problems: Problem[] }> {
  const problems: Problem[] = [];
  const doc = await loadMemory(w, await readSnapshot(w), problems);
  return { ...verifiedMemory(doc, seal), problems };
}
