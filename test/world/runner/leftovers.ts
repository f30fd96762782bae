// What the runner's end-of-job cleanup would find: processes still in a step's process group, and
// processes carrying the job's RUNNER_TRACKING_ID (the runner's orphan search,
// actions/runner ProcessInvoker / JobExtension "Terminate orphan process"). The harness reports them
// before it kills them, so a test can say "the action left nothing behind" instead of the harness
// silently cleaning up after it. Linux only: elsewhere the list is empty.
import { readdirSync, readFileSync } from 'node:fs';

export interface Leftover {
  pid: number;
  /** The executable's name as /proc/<pid>/stat gives it, e.g. `sleep` or `bwrap`. */
  comm: string;
  /** `Z` for a zombie, `S` sleeping, `R` running… */
  state: string;
  uid: number;
  why: 'process group' | 'tracking id';
}

interface Stat {
  comm: string;
  state: string;
  pgrp: number;
}

/** `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so split at the last `)`. */
function parseStat(text: string): Stat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const comm = text.slice(text.indexOf('(') + 1, close);
  const [state, , pgrp] = text.slice(close + 2).split(' ');
  if (!state || pgrp === undefined) return undefined;
  return { comm, state, pgrp: Number(pgrp) };
}

function uidOf(status: string): number {
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
}

function read(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** Processes (other than this one) in group `pgid` or whose environment holds the tracking id. */
export function findLeftovers(pgid: number, trackingId: string | undefined, procDir = '/proc'): Leftover[] {
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return [];
  }
  const needle = trackingId ? Buffer.from(`RUNNER_TRACKING_ID=${trackingId}\0`) : undefined;
  const found: Leftover[] = [];
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const stat = parseStat(read(`${procDir}/${entry}/stat`)?.toString('utf8') ?? '');
    if (!stat) continue;
    const uid = uidOf(read(`${procDir}/${entry}/status`)?.toString('utf8') ?? '');
    if (stat.pgrp === pgid)
      found.push({ pid, comm: stat.comm, state: stat.state, uid, why: 'process group' });
    else if (needle && read(`${procDir}/${entry}/environ`)?.includes(needle))
      found.push({ pid, comm: stat.comm, state: stat.state, uid, why: 'tracking id' });
  }
  return found;
}

/** One line per process, like the runner's log: `pid 123 (sleep) S uid 1002, process group`. */
export function describeLeftovers(list: Leftover[]): string[] {
  return list.map((p) => `pid ${p.pid} (${p.comm}) ${p.state} uid ${p.uid}, ${p.why}`);
}
